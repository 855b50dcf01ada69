-module(idle).
-export([main/0, main/1]).

%% N idle processes (default 100 000; `-s idle main N`), each blocked in
%% receive: memory per idle process.  Above 262 144 it needs `+P`.

idler() -> receive N -> N end.

start(0) -> ok;
start(I) -> spawn(fun idler/0), start(I - 1).

main() -> main(['100000']).
main([A]) ->
    N = list_to_integer(atom_to_list(A)),
    start(N),
    timer:sleep(200),
    io:format("idle ~p~n", [N]),
    halt().
