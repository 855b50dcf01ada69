-module(parallel).
-export([main/0]).

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).

main() ->
    Me = self(),
    Jobs = [spawn(fun() -> Me ! {self(), fib(27)} end) || _ <- lists:seq(1, 8)],
    Sum = lists:sum([receive {J, V} -> V end || J <- Jobs]),
    io:format("sum ~p~n", [Sum]),
    halt().
