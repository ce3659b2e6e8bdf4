"""Pure functions over query results (DataFrames in, DataFrames or text out, no I/O).

The notebooks and the demo call these; tests check them on generated data.
"""
