#!/usr/bin/env python3
"""Generate a large, valid Snow program of about N lines (default 100000)
that exercises the type checker: many functions (annotated and inferred,
multi-clause, mutually recursive), structs and generic structs, sum types
with exhaustive matches, interfaces with impls and default methods,
where-clauses, operators on user types, closures and let-polymorphism,
Option/Result with `?`, comprehensions, actors and services.

usage: bench/gen_typecheck.py [LINES] > big.snow
       snow check big.snow          # must exit 0

Every block is independent (names carry the block number), so the file
grows linearly and `snow check` time should grow linearly with it.
"""
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100000

HEADER = """interface Measure do
  fn size(self) -> Int
  fn label(self) -> String
  fn describe(self) -> String do
    "${self.label()}:${self.size()}"
  end
end

fn total_size<T>(xs :: List<T>) -> Int where T: Measure do
  List.reduce(xs, 0, fn acc, x -> acc + x.size() end)
end

fn identity(x) = x

fn pick(flag :: Bool, a, b) = if flag do a else b end

"""


def block(i):
    k = i % 7 + 1
    return f"""struct Point{i} do
  x :: Int
  y :: Int
end deriving(Eq, Ord, Display)

struct Box{i}<T> do
  value :: T
  tag :: String
end

type Shape{i} do
  Circle{i}(Float)
  Rect{i}(Float, Float)
  Dot{i}
end deriving(Eq, Display)

impl Measure for Point{i} do
  fn size(self) -> Int do
    self.x + self.y
  end
  fn label(self) -> String do
    "p{i}"
  end
end

impl Add for Point{i} do
  fn add(a :: Point{i}, b :: Point{i}) -> Point{i} do
    Point{i} {{ x: a.x + b.x, y: a.y + b.y }}
  end
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

fn even{i}(n :: Int) -> Bool do
  if n == 0 do true else odd{i}(n - 1) end
end

fn odd{i}(n :: Int) -> Bool do
  if n == 0 do false else even{i}(n - 1) end
end

fn unbox{i}<T>(b :: Box{i}<T>) -> T = b.value

fn parse{i}(s :: String) -> Int!String do
  case String.to_int(s) do
    Some(n) -> Ok(n)
    None -> Err("bad: " <> s)
  end
end

fn sum_parsed{i}(a :: String, b :: String) -> Int!String do
  let x = parse{i}(a)?
  let y = parse{i}(b)?
  Ok(x + y)
end

fn work{i}(xs :: List<Int>, k :: Int) -> Int do
  let ys = xs
    |> List.map(fn x -> x * {k} + k end)
    |> List.filter(fn x -> x % 2 == 0 end)
  let total = List.reduce(ys, 0, fn acc, x -> acc + x end)
  let p = Point{i} {{ x: total, y: k }} + Point{i} {{ x: 1, y: 2 }}
  let b = Box{i} {{ value: p, tag: "t" }}
  let q = unbox{i}(b)
  let twice = fn f, v -> f(f(v)) end
  let n = twice(fn v -> v + 1 end, identity(k))
  let names = for pt in [p, q] when pt.x > 0 do
    pt.describe()
  end
  if q > p and even{i}(n) do
    println("big ${{p}} ${{classify{i}(total)}} ${{names}} ${{total_size([p, q])}}")
  else
    println("small ${{pick(true, total, n)}} ${{area{i}(Rect{i}(1.0, 2.0))}}")
  end
  case sum_parsed{i}("1", "{i}") do
    Ok(v) -> v + total
    Err(e) -> String.length(e)
  end
end

"""


ACTORS = """actor counter(total :: Int) do
  receive do
    Some(n) -> counter(total + n)
    None -> println("total ${total}")
  end
end

service Store do
  fn init(start :: Int) -> Int do
    start
  end

  call Get() :: Int do |s|
    (s, s)
  end

  cast Put(v :: Int) do |_s|
    v
  end
end

"""

out = [HEADER, ACTORS]
lines = HEADER.count("\n") + ACTORS.count("\n")
i = 0
calls = []
blk = block(0).count("\n")
while lines + blk + 20 < N:
    out.append(block(i))
    lines += blk
    calls.append(i)
    i += 1

out.append("fn main() do\n")
out.append("  let c = spawn(counter, 0)\n  send(c, Some(1))\n  send(c, None)\n")
out.append("  let s = Store.start(1)\n  Store.put(s, 2)\n  println(\"${Store.get(s)}\")\n")
for j in calls[:5]:
    out.append(f"  println(\"${{work{j}([1, 2, 3], {j})}}\")\n")
out.append("end\n")
sys.stdout.write("".join(out))
