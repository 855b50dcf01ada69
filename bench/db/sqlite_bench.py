# The peer of sqlite_insert.snow / sqlite_select.snow: Python's sqlite3.
#   sqlite_bench.py insert|select PATH N
import sqlite3
import sys

mode, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = sqlite3.connect(path, isolation_level=None)
if mode == "insert":
    db.execute("DROP TABLE IF EXISTS t")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score INTEGER)")
    db.execute("BEGIN")
    for i in range(n):
        db.execute("INSERT INTO t (id, name, score) VALUES (?, ?, ?)", (str(i), "name %d" % i, str(i % 100)))
    db.execute("COMMIT")
    r = db.execute("SELECT count(*) AS n, sum(score) AS s FROM t").fetchone()
    print(r[0], r[1])
else:
    s = 0
    for i in range(n):
        row = db.execute("SELECT name, score FROM t WHERE id = ?", (str(i * 7919 % 100000),)).fetchone()
        s += int(row[1])
    print(s)
db.close()
