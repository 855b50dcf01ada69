-module(idle).
-export([main/0]).

idler() -> receive N -> N end.

start(0) -> ok;
start(I) -> spawn(fun idler/0), start(I - 1).

main() ->
    start(100000),
    timer:sleep(200),
    io:format("idle 100000~n"),
    halt().
