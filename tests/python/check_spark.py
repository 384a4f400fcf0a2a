"""Reads autokg's Parquet node and edge tables with Apache Spark (pyspark, local mode) and
compares them with what pyarrow reads from the same files.

Usage: check_spark.py DIR   (DIR holds nodes.parquet and edges.parquet)

Checks the row counts, that Spark's column types are the files' (StringType for text,
DoubleType for Weight and real scores, LongType for counts), the set of node ids, that
every edge endpoint joins to a node, and each score column's sum. Prints a JSON summary;
exits 1 on a mismatch, 3 when pyspark, pyarrow or a Java runtime is missing.
"""

import json
import math
import os
import shutil
import sys

try:
    import pyarrow.parquet as pq
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
except ImportError as e:  # the Rust test turns this into a failure, not a skip
    print(f"pyspark or pyarrow is not importable: {e}", file=sys.stderr)
    sys.exit(3)
if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
    print("no Java runtime (java on PATH or JAVA_HOME): tests/python/setup.sh installs one", file=sys.stderr)
    sys.exit(3)

SPARK_TYPES = {"string": T.StringType(), "double": T.DoubleType(), "int64": T.LongType()}


def main():
    d = sys.argv[1]
    problems = []
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("autokg-check")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        summary = {}
        frames = {}
        for name in ("nodes", "edges"):
            path = os.path.join(d, f"{name}.parquet")
            arrow = pq.read_table(path)
            df = spark.read.parquet(path)
            frames[name] = (arrow, df)
            count = df.count()
            summary[name] = count
            if count != arrow.num_rows:
                problems.append(f"{name}: Spark counts {count}, pyarrow {arrow.num_rows}")
            if df.columns != arrow.column_names:
                problems.append(f"{name}: Spark columns {df.columns}, pyarrow {arrow.column_names}")
            for field in arrow.schema:
                want = SPARK_TYPES.get(str(field.type))
                got = df.schema[field.name].dataType
                if want is None or got != want:
                    problems.append(f"{name}.{field.name}: Spark reads {got}, file has {field.type}")
                if str(field.type) in ("double", "int64") and field.name != "Weight":
                    total = df.agg(F.sum(field.name)).first()[0]
                    values = [v for v in arrow.column(field.name).to_pylist() if v is not None]
                    want_total = math.fsum(values) if values else None
                    if (total is None) != (want_total is None) or (
                        values and not math.isclose(total, want_total, rel_tol=1e-9)
                    ):
                        problems.append(f"{name}.{field.name}: Spark sums {total}, pyarrow {want_total}")
        (n_arrow, nodes), (_, edges) = frames["nodes"], frames["edges"]
        ids = {r["Id"] for r in nodes.select("Id").collect()}
        if ids != set(n_arrow.column("Id").to_pylist()):
            problems.append("Spark's node ids differ from pyarrow's")
        dangling = (
            edges.join(nodes.withColumnRenamed("Id", "src"), edges.Source == F.col("src"), "left_anti").count()
            + edges.join(nodes.withColumnRenamed("Id", "dst"), edges.Target == F.col("dst"), "left_anti").count()
        )
        if dangling:
            problems.append(f"{dangling} edge endpoints join to no node")
        summary["spark"] = spark.version
        summary["problems"] = problems[:20]
        print(json.dumps(summary))
    finally:
        spark.stop()
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
