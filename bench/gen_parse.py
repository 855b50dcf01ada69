#!/usr/bin/env python3
"""Generate a large, valid Snow program of about N lines (default 100000)
for parser/front-end timing: functions, structs, sum types, closures,
pattern matching, string interpolation, actors.

usage: bench/gen_parse.py [LINES] > big.snow
"""
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
out = []
i = 0
lines = 0
while lines < N - 10:
    chunk = (f"""struct Point{i} do
  x :: Int
  y :: Int
end deriving(Eq, Display)

type Shape{i} do
  Circle{i}(Float)
  Rect{i}(Float, Float)
  Dot{i}
end

fn area{i}(s :: Shape{i}) -> Float do
  case s do
    Circle{i}(r) -> 3.14 * r * r
    Rect{i}(w, h) -> w * h
    Dot{i} -> 0.0
  end
end

fn classify{i}(0) = "zero"
fn classify{i}(n) when n < 0 = "negative"
fn classify{i}(n) = "positive"

fn work{i}(xs :: List<Int>, k :: Int) -> Int do
  let ys = xs
    |> List.map(fn x -> x * {i % 7 + 1} + k end)
    |> List.filter(fn x -> x % 2 == 0 end)
  let total = List.reduce(ys, 0, fn acc, x -> acc + x end)
  let p = Point{i} {{ x: total, y: k }}
  if total > 100 do
    println("big ${{p}} ${{classify{i}(total)}}")
  else
    println("small ${{total}}")
  end
  for x in ys when x > 2 do
    x + 1
  end
  total
end
""")
    out.append(chunk)
    lines += chunk.count("\n") + 1
    i += 1
text = "\n".join(out)
lines = text.count("\n")
print(text)
print("fn main() do")
print(f'  println("${{work0([1, 2, 3], 4)}}")')
print("end")
