-module(spawn).
-export([main/0]).

%% The boss's mailbox fills with replies while it is still spawning; with
%% the default on-heap message queue every collection of the boss would
%% copy them all (quadratic), so the queue is kept off-heap, as a
%% production Erlang program would.

worker() -> receive Boss -> Boss ! 1 end.

launch(N, N, _) -> N;
launch(I, N, Me) -> P = spawn(fun worker/0), P ! Me, launch(I + 1, N, Me).

collect(N, N) -> N;
collect(Got, N) -> receive K -> collect(Got + K, N) end.

main() ->
    process_flag(message_queue_data, off_heap),
    N = 1000000,
    launch(0, N, self()),
    io:format("replies ~p~n", [collect(0, N)]),
    halt().
