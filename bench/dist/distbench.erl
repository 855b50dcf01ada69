%% The Erlang peer of bench/dist/dist.snow (bench/dist/run): the same three
%% workloads between two nodes started with `erl -name` on loopback.
%%   erl -name s@127.0.0.1 ... -s distbench server
%%   erl -name c@127.0.0.1 ... -s distbench client WORK COUNT SERVER
-module(distbench).
-export([server/0, client/1, sink_small/2, sink_text/2, echo/1]).

server() -> ok.

sink_small(0, Reply) -> Reply ! 0;
sink_small(N, Reply) -> receive {_, _} -> sink_small(N - 1, Reply) end.

sink_text(0, Reply) -> Reply ! 0;
sink_text(N, Reply) -> receive _ -> sink_text(N - 1, Reply) end.

echo(0) -> ok;
echo(N) -> receive {I, From} -> From ! I end, echo(N - 1).

pinger(_, 0, Done) -> Done ! 0;
pinger(P, I, Done) -> P ! {I, self()}, receive _ -> pinger(P, I - 1, Done) end.

blast_small(_, 0) -> ok;
blast_small(P, I) -> P ! {I, 42}, blast_small(P, I - 1).

blast_text(_, _, 0) -> ok;
blast_text(P, S, I) -> P ! S, blast_text(P, S, I - 1).

client([Work, CountA, ServerA]) ->
    N = list_to_integer(atom_to_list(CountA)),
    Server = ServerA,
    pong = net_adm:ping(Server),
    io:format("go~n"),
    Me = self(),
    case Work of
        small -> blast_small(spawn(Server, distbench, sink_small, [N, Me]), N);
        text -> blast_text(spawn(Server, distbench, sink_text, [N, Me]), list_to_binary(lists:duplicate(1024, $x)), N);
        ping -> P = spawn(Server, distbench, echo, [N]), spawn(fun() -> pinger(P, N, Me) end)
    end,
    receive _ -> io:format("~s ~b done~n", [Work, N]) end,
    halt().
