"""The columnar engine: policies compiled to exact SQL, run by DuckDB (and by Spark for the largest data).

Every number in the generated SQL is an integer: a numerator with a denominator
known when the SQL is written (a fixed scale) or a numerator and denominator
pair of columns. A row the SQL cannot compute exactly comes back marked, and the
reference evaluator computes it (or names its error); nothing is approximated.
"""
