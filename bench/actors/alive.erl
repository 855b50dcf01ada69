-module(alive).
-export([main/0, main/1]).

%% N processes alive at once (default 1 000 000; `-s alive main N`): spawn
%% them all, then send each one a message, then collect the N replies.
%% Needs `+P` above N (Erlang's default limit is 262 144 processes).

worker(Boss) -> receive N -> Boss ! N end.

collect(N, N) -> N;
collect(Got, N) -> receive K -> collect(Got + K, N) end.

main() -> main(['1000000']).
main([A]) ->
    %% keep the boss's million-message queue off its heap, as in spawn.erl
    process_flag(message_queue_data, off_heap),
    N = list_to_integer(atom_to_list(A)),
    Me = self(),
    Pids = [spawn(fun() -> worker(Me) end) || _ <- lists:seq(1, N)],
    [P ! 1 || P <- Pids],
    io:format("replies ~p~n", [collect(0, N)]),
    halt().
