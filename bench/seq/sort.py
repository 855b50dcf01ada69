xs = [(i * 7919) % 1000003 for i in range(1000000)]
s = sorted(xs, key=lambda x: x)
print(len(s), s[0], s[-1])
