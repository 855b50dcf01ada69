m = {}
for i in range(1000000):
    m["key%d" % i] = i
acc = 0
for i in range(1000000):
    acc += m["key%d" % i]
print(len(m), acc)
