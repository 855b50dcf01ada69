-module(ring).
-export([main/0]).

member(Next) ->
    receive
        {setup, P} -> member(P);
        {token, 0} -> io:format("done~n"), halt();
        {token, N} -> Next ! {token, N - 1}, member(Next)
    end.

build(0, Next) -> Next;
build(K, Next) -> P = spawn(fun() -> member(Next) end), build(K - 1, P).

main() ->
    First = spawn(fun() -> member(none) end),
    Last = build(999, First),
    First ! {setup, Last},
    Last ! {token, 1000000},
    receive after infinity -> ok end.
