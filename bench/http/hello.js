// bench/http's Node peer: the same two routes with Node's http module
// (llhttp too).  Argument: the port.
const http = require("http");
const port = parseInt(process.argv[2] || "8081", 10);
http.createServer((req, res) => {
  if (req.url === "/hello") {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end("Hello, World!");
  } else if (req.url === "/json") {
    res.writeHead(200, { "Content-Type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ message: "Hello, World!" }));
  } else {
    res.writeHead(404);
    res.end();
  }
}).listen(port, "0.0.0.0");
