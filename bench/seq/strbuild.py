def main():
    s = ""
    for i in range(1000000):
        s += "%d," % i
    print(len(s))

main()
