# SELECT 1 round trips with psycopg2 (Debian's python3-psycopg2); with
# THREADS > 1, one connection per thread (psycopg2 releases the GIL while
# it waits for the server).
#   pg_select1.py URL N [THREADS]
import sys
import threading

import psycopg2

url, n = sys.argv[1], int(sys.argv[2])
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
per = n // threads
counts = [0] * threads


def worker(k):
    conn = psycopg2.connect(url)
    conn.autocommit = True
    cur = conn.cursor()
    ok = 0
    for _ in range(per):
        cur.execute("SELECT 1")
        if cur.fetchone()[0] == 1:
            ok += 1
    conn.close()
    counts[k] = ok


ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(sum(counts))
