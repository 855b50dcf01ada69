import json
items = [{"id": i, "name": "item number %d" % i, "price": i * 0.25, "tags": ["a", "bb", "ccc"]} for i in range(130000)]
text = json.dumps({"items": items}, separators=(",", ":"), sort_keys=True)
d = json.loads(text)
print(len(text), len(d["items"]))
