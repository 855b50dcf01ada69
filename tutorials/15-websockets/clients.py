"""Two chat clients without a browser: start the server given on the
command line, ask its web page over HTTP, then let alice and bob talk
over WebSockets (a minimal RFC 6455 client, Python's standard library
only), and show what the server printed."""
import base64
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import urllib.request


def start(program):
    server = subprocess.Popen(["snow", "run", program, "--", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    line = server.stderr.readline()  # [snow-rt] HTTP server listening on 0.0.0.0:PORT
    return server, int(re.search(r":(\d+)$", line.strip()).group(1))


class Client:
    def __init__(self, name, port):
        self.name = name
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n" % key).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.sock.recv(4096)
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        print(name, "connects:", head.split(b"\r\n")[0].decode())

    def send(self, text, opcode=1):
        data = text.encode() if isinstance(text, str) else text
        mask = os.urandom(4)  # clients mask what they send
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(struct.pack("!BB", 0x80 | opcode, 0x80 | len(data)) + mask + masked)

    def receive(self):
        while len(self.buf) < 2 or len(self.buf) < 2 + (self.buf[1] & 0x7F):
            self.buf += self.sock.recv(4096)
        n = self.buf[1] & 0x7F
        opcode, data, self.buf = self.buf[0] & 0x0F, self.buf[2:2 + n], self.buf[2 + n:]
        return opcode, data

    def say(self, text):
        print(self.name, "says:", text)
        self.send(text)

    def hear(self):
        print(self.name, "hears:", self.receive()[1].decode())

    def leave(self):
        self.send(struct.pack("!H", 1000), opcode=8)  # a Close frame, code 1000
        opcode, data = self.receive()
        print(self.name, "leaves; the server answers Close", struct.unpack("!H", data[:2])[0])
        self.sock.close()


server, port = start(sys.argv[1])
with urllib.request.urlopen("http://127.0.0.1:%d/" % port) as page:
    print("GET / ->", page.status, page.read().decode())
alice = Client("alice", port)
alice.hear()
bob = Client("bob", port)
bob.hear()
alice.say("hi bob!")
bob.hear()
bob.say("hello alice")
alice.hear()
alice.leave()
bob.leave()
server.send_signal(signal.SIGTERM)  # stop: the server finishes and exits
out, _ = server.communicate(timeout=20)
print("the server printed:")
print(out, end="")
print("the server exited with", server.returncode)
