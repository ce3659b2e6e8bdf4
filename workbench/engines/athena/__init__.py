"""The Athena engine: the same query files, run by Amazon Athena over the Glue tables."""

from workbench.engines.athena.engine import PRICE_PER_TB_USD, AthenaEngine, estimate_cost

__all__ = ["PRICE_PER_TB_USD", "AthenaEngine", "estimate_cost"]
