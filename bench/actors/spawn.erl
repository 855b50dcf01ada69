-module(spawn).
-export([main/0]).

worker() -> receive Boss -> Boss ! 1 end.

launch(N, N, _) -> N;
launch(I, N, Me) -> P = spawn(fun worker/0), P ! Me, launch(I + 1, N, Me).

collect(N, N) -> N;
collect(Got, N) -> receive K -> collect(Got + K, N) end.

main() ->
    %% the boss collects a million replies: keep its queue off-heap, or each
    %% garbage collection of the boss copies the whole queue (quadratic)
    process_flag(message_queue_data, off_heap),
    N = 1000000,
    launch(0, N, self()),
    io:format("replies ~p~n", [collect(0, N)]),
    halt().
