/* explain.c — the explanations behind `snow explain CODE` (see explain.h). */
#include "explain.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const Explanation explain_table[] = {
    {"E0001", "type mismatch",
     "A value of one type is used where another type is needed: a String passed to a parameter "
     "declared `Int`, an `if` whose branches give different types, a `let` whose annotation "
     "disagrees with its value.\n\n"
     "Snow never converts between types on its own. Convert explicitly: `\"${n}\"` or "
     "`n.to_string()` makes text of a number, `String.to_int(s)` reads a number from text (an "
     "`Option<Int>`, since the text may not be a number), `Int.to_float(n)` and `Float.to_int(x)` "
     "convert between numbers. The label under the code says where the expected type comes from.",
     "fn double(n :: Int) -> Int = n * 2\n"
     "\n"
     "fn main() do\n"
     "  let input = \"21\"\n"
     "  println(\"${double(input)}\")\n"
     "end\n",
     "fn double(n :: Int) -> Int = n * 2\n"
     "\n"
     "fn main() do\n"
     "  let input = \"21\"\n"
     "  case String.to_int(input) do\n"
     "    Some(n) -> println(\"${double(n)}\")\n"
     "    None -> println(\"not a number: ${input}\")\n"
     "  end\n"
     "end\n",
     NULL},
    {"E0002", "infinite type",
     "A value would need a type that contains itself. The classic case is a function applied to "
     "itself, `f(f)`: the parameter `f` would have to be a function taking functions taking "
     "functions, without end.\n\n"
     "Such a program has no type. Usually the call was meant for another value: pass the "
     "argument the function really expects.",
     "fn main() do\n"
     "  let apply_self = fn f -> f(f) end\n"
     "  println(\"never\")\n"
     "end\n",
     "fn main() do\n"
     "  let apply_twice = fn f, x -> f(f(x)) end\n"
     "  println(\"${apply_twice(fn n -> n * 3 end, 2)}\")\n"
     "end\n",
     NULL},
    {"E0003", "wrong number of arguments",
     "A function, constructor or closure is called with more or fewer arguments than it "
     "declares. Snow has no default arguments and no variadic functions: every parameter gets "
     "exactly one argument. The same code is used for a constructor pattern with the wrong "
     "number of fields and for tuples of different sizes.",
     "fn greet(greeting :: String, name :: String) -> String do\n"
     "  greeting <> \", \" <> name\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(greet(\"hello\"))\n"
     "end\n",
     "fn greet(greeting :: String, name :: String) -> String do\n"
     "  greeting <> \", \" <> name\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(greet(\"hello\", \"Ada\"))\n"
     "end\n",
     NULL},
    {"E0004", "undefined name",
     "A name is used that nothing defines at this point: no `let`, parameter, function, "
     "constructor, type or import has that name here. Common causes are a typo (the help line "
     "suggests the closest name), a variable used outside the block that defined it, a module "
     "used without `import`, and names from other languages (`len`, `puts`, `IO.puts`, "
     "`Enum.map`), for which the help line gives the Snow spelling.",
     "fn main() do\n"
     "  let count = 3\n"
     "  println(\"${cuont + 1}\")\n"
     "end\n",
     "fn main() do\n"
     "  let count = 3\n"
     "  println(\"${count + 1}\")\n"
     "end\n",
     NULL},
    {"E0005", "calling something that is not a function",
     "Parentheses after a value call it, and only functions and closures can be called. A "
     "number, a string or a struct cannot.\n\n"
     "Snow reports this as a type mismatch (E0001): the callee was expected to be a function "
     "type and is, say, an `Int`. Check the name: often a variable shadows a function of the "
     "same name.",
     "fn main() do\n"
     "  let total = 10\n"
     "  println(\"${total(2)}\")\n"
     "end\n",
     "fn total(n :: Int) -> Int = n * 5\n"
     "\n"
     "fn main() do\n"
     "  println(\"${total(2)}\")\n"
     "end\n",
     "E0001"},
    {"E0006", "a type does not implement an interface",
     "An operator or a function needs an interface (a trait) that the type does not have: `+` "
     "needs `Add`, `<` needs `Ord`, `==` needs `Eq`, interpolation needs `Display`. Strings "
     "are joined with `<>`, not `+`.\n\n"
     "For your own types, derive the interface (`deriving(Eq, Display)`) or write an "
     "`impl Interface for Type do ... end`.",
     "fn main() do\n"
     "  let first = \"snow\"\n"
     "  println(first + \"ball\")\n"
     "end\n",
     "fn main() do\n"
     "  let first = \"snow\"\n"
     "  println(first <> \"ball\")\n"
     "end\n",
     NULL},
    {"E0007", "an impl lacks a method",
     "An `impl Interface for Type` must define every method the interface declares (except the "
     "ones the interface gives a default body). Add the missing method with the signature of "
     "the interface.",
     "interface Animal do\n"
     "  fn name(self) -> String\n"
     "  fn sound(self) -> String\n"
     "end\n"
     "\n"
     "struct Cat do\n"
     "  lives :: Int\n"
     "end\n"
     "\n"
     "impl Animal for Cat do\n"
     "  fn name(self) -> String do \"cat\" end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(Cat { lives: 9 }.name())\n"
     "end\n",
     "interface Animal do\n"
     "  fn name(self) -> String\n"
     "  fn sound(self) -> String\n"
     "end\n"
     "\n"
     "struct Cat do\n"
     "  lives :: Int\n"
     "end\n"
     "\n"
     "impl Animal for Cat do\n"
     "  fn name(self) -> String do \"cat\" end\n"
     "  fn sound(self) -> String do \"meow\" end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(Cat { lives: 9 }.name())\n"
     "end\n",
     NULL},
    {"E0008", "an impl method has the wrong signature",
     "A method in an `impl` must have the parameter and return types its interface declares: "
     "callers rely on the interface, not on the impl. Change the method (or the interface) so "
     "that both agree.",
     "interface Sized do\n"
     "  fn size(self) -> Int\n"
     "end\n"
     "\n"
     "struct Crate do\n"
     "  items :: List<String>\n"
     "end\n"
     "\n"
     "impl Sized for Crate do\n"
     "  fn size(self) -> String do \"${List.length(self.items)}\" end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(\"${Crate { items: [] }.size()}\")\n"
     "end\n",
     "interface Sized do\n"
     "  fn size(self) -> Int\n"
     "end\n"
     "\n"
     "struct Crate do\n"
     "  items :: List<String>\n"
     "end\n"
     "\n"
     "impl Sized for Crate do\n"
     "  fn size(self) -> Int do List.length(self.items) end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(\"${Crate { items: [] }.size()}\")\n"
     "end\n",
     NULL},
    {"E0009", "struct field error",
     "A struct literal must give every field exactly once, and only fields the struct declares; "
     "`value.field` must name a field the value's type has. The same code covers using a struct "
     "type as if it were a value or a module (`Point.origin()` when `Point` is only a struct).",
     "struct Point do\n"
     "  x :: Int\n"
     "  y :: Int\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  let p = Point { x: 1 }\n"
     "  println(\"${p.x}\")\n"
     "end\n",
     "struct Point do\n"
     "  x :: Int\n"
     "  y :: Int\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  let p = Point { x: 1, y: 0 }\n"
     "  println(\"${p.x}\")\n"
     "end\n",
     NULL},
    {"E0010", "unknown constructor in a pattern",
     "A pattern names a variant (a constructor) that no sum type in scope has. Check the "
     "spelling and the type of the value matched: a `case` on a `Light` can only use the "
     "variants of `Light`. Variants of another module's type come with `import Module`.",
     "type Light do\n"
     "  Red\n"
     "  Green\n"
     "end\n"
     "\n"
     "fn next(l :: Light) -> Light do\n"
     "  case l do\n"
     "    Red -> Green\n"
     "    Yellow(x) -> Red\n"
     "    _ -> Red\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(\"${next(Red) == Green}\")\n"
     "end\n",
     "type Light do\n"
     "  Red\n"
     "  Green\n"
     "end\n"
     "\n"
     "fn next(l :: Light) -> Light do\n"
     "  case l do\n"
     "    Red -> Green\n"
     "    Green -> Red\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  case next(Red) do\n"
     "    Green -> println(\"green\")\n"
     "    Red -> println(\"red\")\n"
     "  end\n"
     "end\n",
     NULL},
    {"E0011", "pattern binds badly",
     "The alternatives of an or-pattern `p1 | p2` must bind the same names, because the arm's "
     "body uses them whichever alternative matched. A pattern also may not bind one name "
     "twice (`(x, x)`): bind two names and compare them in a guard.",
     "fn pick(p :: (Int, Int)) -> Int do\n"
     "  case p do\n"
     "    (x, 0) | (0, y) -> 1\n"
     "    _ -> 0\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(\"${pick((1, 0))}\")\n"
     "end\n",
     "fn pick(p :: (Int, Int)) -> Int do\n"
     "  case p do\n"
     "    (x, 0) | (0, x) -> x\n"
     "    _ -> 0\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(\"${pick((1, 0))}\")\n"
     "end\n",
     NULL},
    {"E0012", "non-exhaustive match",
     "A `case` must say what happens for every possible value: the label lists a value no arm "
     "matches. Add an arm for it, or a wildcard `_ ->` arm last.\n\n"
     "For function clauses and `receive`, a missing case is a warning with the same code: a "
     "call that matches no clause panics at run time, and a message that matches no arm waits "
     "in the mailbox.",
     "fn main() do\n"
     "  let found = List.find([1, 2, 3], fn x -> x > 1 end)\n"
     "  let v = case found do\n"
     "    Some(n) -> n\n"
     "  end\n"
     "  println(\"${v}\")\n"
     "end\n",
     "fn main() do\n"
     "  let found = List.find([1, 2, 3], fn x -> x > 1 end)\n"
     "  let v = case found do\n"
     "    Some(n) -> n\n"
     "    None -> 0\n"
     "  end\n"
     "  println(\"${v}\")\n"
     "end\n",
     NULL},
    {"E0013", "disallowed construct in a guard (no longer reported)",
     "The original language accepted only comparisons and boolean operators in a `case` "
     "guard. Snow accepts any expression of type `Bool` there (spec decision 5), so this code "
     "is no longer reported: both programs below are accepted. A guard of another type is "
     "E0025.",
     "fn main() do\n"
     "  case 7 do\n"
     "    n when n + 1 > 5 -> println(\"big\")\n"
     "    _ -> println(\"small\")\n"
     "  end\n"
     "end\n",
     "fn main() do\n"
     "  case 7 do\n"
     "    n when n > 4 -> println(\"big\")\n"
     "    _ -> println(\"small\")\n"
     "  end\n"
     "end\n",
     "none"},
    {"E0014", "message of the wrong type",
     "An actor receives messages of one type, inferred from its `receive` arms (or written as "
     "`Pid<T>`). Sending it a value of another type is rejected before the program runs. To "
     "accept several kinds of message, define a sum type with one variant per kind.",
     "actor adder(total :: Int) do\n"
     "  receive do\n"
     "    n -> adder(total + n)\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  let p = spawn(adder, 0)\n"
     "  send(p, \"six\")\n"
     "end\n",
     "actor adder(total :: Int) do\n"
     "  receive do\n"
     "    n -> adder(total + n)\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  let p = spawn(adder, 0)\n"
     "  send(p, 6)\n"
     "end\n",
     NULL},
    {"E0015", "self() outside an actor",
     "`self()` is the pid of the running actor, so it exists only inside an `actor ... end` "
     "block. A plain function has no mailbox of its own: pass it the pid as an argument.",
     "fn whoami() -> Pid do\n"
     "  self()\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  whoami()\n"
     "end\n",
     "actor greeter() do\n"
     "  println(\"I am ${self()}\")\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  spawn(greeter)\n"
     "end\n",
     NULL},
    {"E0016", "spawning something that is not an actor",
     "`spawn` starts a process from an actor (or a supervisor). A plain function cannot be "
     "spawned: make it an `actor`, whose parameters are the arguments given to `spawn`.",
     "fn work(n :: Int) do\n"
     "  println(\"working on ${n}\")\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  spawn(work, 3)\n"
     "end\n",
     "actor work(n :: Int) do\n"
     "  println(\"working on ${n}\")\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  spawn(work, 3)\n"
     "end\n",
     NULL},
    {"E0017", "receive outside an actor",
     "`receive` takes a message from the running actor's mailbox, so it is allowed only inside "
     "an `actor ... end` block (and in the REPL, whose session is a process). Move the waiting "
     "into an actor, or ask a service with a call, which returns the reply.",
     "fn wait_for_reply() -> Int do\n"
     "  receive do\n"
     "    n -> n\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(\"${wait_for_reply()}\")\n"
     "end\n",
     "actor waiter() do\n"
     "  receive do\n"
     "    n -> println(\"got ${n}\")\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  let w = spawn(waiter)\n"
     "  send(w, 1)\n"
     "end\n",
     NULL},
    {"E0018", "a supervisor child does not start a process",
     "The `start:` of a child must be a closure that returns the child's `Pid`, usually "
     "`fn -> spawn(worker) end`: the supervisor links to that process and restarts it through "
     "the same closure.",
     "actor worker() do\n"
     "  println(\"working\")\n"
     "end\n"
     "\n"
     "supervisor Pool do\n"
     "  strategy: one_for_one\n"
     "  child w do\n"
     "    start: fn -> 42 end\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  spawn(Pool)\n"
     "end\n",
     "actor worker() do\n"
     "  println(\"working\")\n"
     "end\n"
     "\n"
     "supervisor Pool do\n"
     "  strategy: one_for_one\n"
     "  child w do\n"
     "    start: fn -> spawn(worker) end\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  spawn(Pool)\n"
     "end\n",
     NULL},
    {"E0019", "unknown supervisor strategy",
     "A supervisor's `strategy:` is one of `one_for_one` (restart the child that failed), "
     "`one_for_all` (restart them all) and `rest_for_one` (restart the failed child and those "
     "started after it).",
     "actor worker() do\n"
     "  println(\"working\")\n"
     "end\n"
     "\n"
     "supervisor Pool do\n"
     "  strategy: one_for_everyone\n"
     "  child w do\n"
     "    start: fn -> spawn(worker) end\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  spawn(Pool)\n"
     "end\n",
     "actor worker() do\n"
     "  println(\"working\")\n"
     "end\n"
     "\n"
     "supervisor Pool do\n"
     "  strategy: one_for_all\n"
     "  child w do\n"
     "    start: fn -> spawn(worker) end\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  spawn(Pool)\n"
     "end\n",
     NULL},
    {"E0020", "invalid restart type",
     "A child's `restart:` is `permanent` (always restarted, the default), `transient` "
     "(restarted only after a crash) or `temporary` (never restarted).",
     "actor worker() do\n"
     "  println(\"working\")\n"
     "end\n"
     "\n"
     "supervisor Pool do\n"
     "  strategy: one_for_one\n"
     "  child w do\n"
     "    start: fn -> spawn(worker) end\n"
     "    restart: always\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  spawn(Pool)\n"
     "end\n",
     "actor worker() do\n"
     "  println(\"working\")\n"
     "end\n"
     "\n"
     "supervisor Pool do\n"
     "  strategy: one_for_one\n"
     "  child w do\n"
     "    start: fn -> spawn(worker) end\n"
     "    restart: permanent\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  spawn(Pool)\n"
     "end\n",
     NULL},
    {"E0021", "invalid shutdown value",
     "A child's `shutdown:` is the number of milliseconds (more than 0) the supervisor waits "
     "for the child to stop before killing it, or `brutal_kill` to kill it at once.",
     "actor worker() do\n"
     "  println(\"working\")\n"
     "end\n"
     "\n"
     "supervisor Pool do\n"
     "  strategy: one_for_one\n"
     "  child w do\n"
     "    start: fn -> spawn(worker) end\n"
     "    shutdown: 0\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  spawn(Pool)\n"
     "end\n",
     "actor worker() do\n"
     "  println(\"working\")\n"
     "end\n"
     "\n"
     "supervisor Pool do\n"
     "  strategy: one_for_one\n"
     "  child w do\n"
     "    start: fn -> spawn(worker) end\n"
     "    shutdown: 500\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  spawn(Pool)\n"
     "end\n",
     NULL},
    {"E0022", "catch-all clause before other clauses",
     "Clauses are tried from the top. A clause whose parameters are all plain names (or `_`) "
     "matches every call, so the clauses after it could never run. Put the specific clauses "
     "first and the catch-all last.",
     "fn label(n) = \"many\"\n"
     "fn label(0) = \"none\"\n"
     "\n"
     "fn main() do\n"
     "  println(label(0))\n"
     "end\n",
     "fn label(0) = \"none\"\n"
     "fn label(n) = \"many: ${n}\"\n"
     "\n"
     "fn main() do\n"
     "  println(label(0))\n"
     "end\n",
     NULL},
    {"E0023", "clauses of one function are not together",
     "The clauses of a multi-clause function must follow each other, with nothing in between: "
     "a clause that comes later, after another definition, is taken for a second function of "
     "the same name.",
     "fn size(0) = \"empty\"\n"
     "fn other() = 1\n"
     "fn size(n) = \"some\"\n"
     "\n"
     "fn main() do\n"
     "  println(size(other()))\n"
     "end\n",
     "fn size(0) = \"empty\"\n"
     "fn size(n) = \"some: ${n}\"\n"
     "fn other() = 1\n"
     "\n"
     "fn main() do\n"
     "  println(size(other()))\n"
     "end\n",
     NULL},
    {"E0024", "clauses with different numbers of parameters",
     "Consecutive clauses with the same name form one function, so they must all take the same "
     "number of parameters. To have two functions, give them different names.",
     "fn pick(0) = \"zero\"\n"
     "fn pick(n, m) = \"two\"\n"
     "\n"
     "fn main() do\n"
     "  println(pick(0))\n"
     "end\n",
     "fn pick(0) = \"zero\"\n"
     "fn pick(n) = \"other: ${n}\"\n"
     "\n"
     "fn main() do\n"
     "  println(pick(0))\n"
     "end\n",
     NULL},
    {"E0025", "a guard that is not a Bool",
     "A guard (`when ...`) decides whether a clause or an arm applies, so it must be `true` or "
     "`false`. Snow does not treat numbers as truth values: compare explicitly, e.g. "
     "`x % 2 == 1`.",
     "fn describe(n :: Int) -> String do\n"
     "  case n do\n"
     "    x when x % 2 -> \"odd\"\n"
     "    _ -> \"even\"\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(describe(3))\n"
     "end\n",
     "fn describe(n :: Int) -> String do\n"
     "  case n do\n"
     "    x when x % 2 == 1 -> \"odd\"\n"
     "    _ -> \"even\"\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(describe(3))\n"
     "end\n",
     NULL},
    {"E0026", "duplicate impl",
     "A type implements an interface at most once: with two impls, a call would not know which "
     "method to run. Keep one (impls are global: one anywhere in the program counts).",
     "interface Describe do\n"
     "  fn describe(self) -> String\n"
     "end\n"
     "\n"
     "struct Dog do\n"
     "  name :: String\n"
     "end\n"
     "\n"
     "impl Describe for Dog do\n"
     "  fn describe(self) -> String do \"a dog\" end\n"
     "end\n"
     "\n"
     "impl Describe for Dog do\n"
     "  fn describe(self) -> String do \"a good dog\" end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(Dog { name: \"Rex\" }.describe())\n"
     "end\n",
     "interface Describe do\n"
     "  fn describe(self) -> String\n"
     "end\n"
     "\n"
     "struct Dog do\n"
     "  name :: String\n"
     "end\n"
     "\n"
     "impl Describe for Dog do\n"
     "  fn describe(self) -> String do \"a good dog\" end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(Dog { name: \"Rex\" }.describe())\n"
     "end\n",
     NULL},
    {"E0027", "ambiguous method",
     "Two interfaces implemented by the same type have a method of the same name, so "
     "`value.method()` could mean either. Say which one: `Interface.method(value)`.",
     "interface English do\n"
     "  fn greet(self) -> String\n"
     "end\n"
     "\n"
     "interface French do\n"
     "  fn greet(self) -> String\n"
     "end\n"
     "\n"
     "impl English for String do\n"
     "  fn greet(self) -> String do \"hello \" <> self end\n"
     "end\n"
     "\n"
     "impl French for String do\n"
     "  fn greet(self) -> String do \"bonjour \" <> self end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(\"Ada\".greet())\n"
     "end\n",
     "interface English do\n"
     "  fn greet(self) -> String\n"
     "end\n"
     "\n"
     "interface French do\n"
     "  fn greet(self) -> String\n"
     "end\n"
     "\n"
     "impl English for String do\n"
     "  fn greet(self) -> String do \"hello \" <> self end\n"
     "end\n"
     "\n"
     "impl French for String do\n"
     "  fn greet(self) -> String do \"bonjour \" <> self end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(French.greet(\"Ada\"))\n"
     "end\n",
     NULL},
    {"E0028", "an interface cannot be derived",
     "`deriving(...)` can write the impls of Eq, Ord, Display, Debug, Hash, Json and Row, each "
     "only when every field supports it. For any other interface, write the `impl` yourself.",
     "struct Config do\n"
     "  retries :: Int\n"
     "end deriving(Eq, Clone)\n"
     "\n"
     "fn main() do\n"
     "  println(\"ok\")\n"
     "end\n",
     "struct Config do\n"
     "  retries :: Int\n"
     "end deriving(Eq, Debug)\n"
     "\n"
     "fn main() do\n"
     "  println(\"ok\")\n"
     "end\n",
     NULL},
    {"E0029", "Ord derived without Eq",
     "An ordering must agree with equality, so `deriving(Ord)` needs `Eq` in the same list.",
     "type Level do\n"
     "  Low\n"
     "  High\n"
     "end deriving(Ord, Display)\n"
     "\n"
     "fn main() do\n"
     "  println(\"${Low < High}\")\n"
     "end\n",
     "type Level do\n"
     "  Low\n"
     "  High\n"
     "end deriving(Eq, Ord, Display)\n"
     "\n"
     "fn main() do\n"
     "  println(\"${Low < High}\")\n"
     "end\n",
     NULL},
    {"E0030", "no such method",
     "`value.name(...)` calls a method of an interface the value's type implements, or one of "
     "the built-in methods (`to_string`, `inspect`, ...). A plain function is called with the "
     "value as an argument, `name(value)`, or piped: `value |> name()`.",
     "fn double(n :: Int) -> Int = n * 2\n"
     "\n"
     "fn main() do\n"
     "  let n = 21\n"
     "  println(\"${n.double()}\")\n"
     "end\n",
     "fn double(n :: Int) -> Int = n * 2\n"
     "\n"
     "fn main() do\n"
     "  let n = 21\n"
     "  println(\"${n |> double()}\")\n"
     "end\n",
     NULL},
    {"E0031", "module not found",
     "`import Name` reads the module's file beside the entry file: `MathOps` is "
     "`math_ops.snow`, `Geometry.Shape` is `geometry/shape.snow`. No such file exists, and "
     "the name is not a library module either. Check the spelling and where the file is; run "
     "the program from its entry file (`snow run main.snow`) or its folder (`snow run DIR`).",
     "import Geometry\n"
     "\n"
     "fn main() do\n"
     "  println(\"${Geometry.area(2)}\")\n"
     "end\n",
     "# file: main.snow\n"
     "import Geometry\n"
     "\n"
     "fn main() do\n"
     "  println(\"${Geometry.area(2)}\")\n"
     "end\n"
     "# file: geometry.snow\n"
     "pub fn area(side :: Int) -> Int = side * side\n",
     NULL},
    {"E0032", "break outside a loop",
     "`break` leaves the innermost `while` or `for` loop. Outside a loop it means nothing. A "
     "closure is a separate function, so a `break` in a closure passed to `List.map` cannot "
     "leave a loop around it: use `List.take`, `List.find` or a `for` loop instead.",
     "fn main() do\n"
     "  let xs = [1, 2, 3]\n"
     "  List.map(xs, fn x do\n"
     "    if x > 1 do\n"
     "      break\n"
     "    end\n"
     "    x\n"
     "  end)\n"
     "end\n",
     "fn main() do\n"
     "  for x in [1, 2, 3] do\n"
     "    if x > 1 do\n"
     "      break\n"
     "    end\n"
     "    println(\"${x}\")\n"
     "  end\n"
     "end\n",
     NULL},
    {"E0033", "continue outside a loop",
     "`continue` starts the next round of the innermost `while` or `for` loop, so it is only "
     "allowed inside one (and not in a closure inside it).",
     "fn main() do\n"
     "  println(\"start\")\n"
     "  continue\n"
     "end\n",
     "fn main() do\n"
     "  for x in [1, 2, 3] do\n"
     "    if x == 2 do\n"
     "      continue\n"
     "    end\n"
     "    println(\"${x}\")\n"
     "  end\n"
     "end\n",
     NULL},
    {"E0034", "imported name not found",
     "`from Module import name` lists names the module defines. This one does not: check the "
     "spelling; the note lists what the module exports.",
     "from String import length, size\n"
     "\n"
     "fn main() do\n"
     "  println(\"${length(\"abc\")}\")\n"
     "end\n",
     "from String import length\n"
     "\n"
     "fn main() do\n"
     "  println(\"${length(\"abc\")}\")\n"
     "end\n",
     NULL},
    {"E0035", "private item",
     "Items of a module are private to its file unless marked `pub`. Another file can neither "
     "import a private item nor call it as `Module.name`. Add `pub` where it is defined if it is "
     "meant to be shared; otherwise use what the module makes public.",
     "# file: main.snow\n"
     "import Vault\n"
     "\n"
     "fn main() do\n"
     "  println(\"${Vault.combination()}\")\n"
     "end\n"
     "# file: vault.snow\n"
     "fn combination() -> Int = 1234\n",
     "# file: main.snow\n"
     "import Vault\n"
     "\n"
     "fn main() do\n"
     "  println(\"${Vault.combination()}\")\n"
     "end\n"
     "# file: vault.snow\n"
     "pub fn combination() -> Int = 1234\n",
     NULL},
    {"E0036", "`?` in a function that cannot return an error",
     "`value?` returns early from the function with the `Err` (or `None`) it found, so the "
     "function itself must return a `Result` (or an `Option`). Change its return type, or "
     "handle the error right there with a `case`.",
     "fn parse(s :: String) -> Result<Int, String> do\n"
     "  case String.to_int(s) do\n"
     "    Some(n) -> Ok(n)\n"
     "    None -> Err(\"not a number: \" <> s)\n"
     "  end\n"
     "end\n"
     "\n"
     "fn total(a :: String, b :: String) -> Int do\n"
     "  parse(a)? + parse(b)?\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(\"${total(\"1\", \"2\")}\")\n"
     "end\n",
     "fn parse(s :: String) -> Result<Int, String> do\n"
     "  case String.to_int(s) do\n"
     "    Some(n) -> Ok(n)\n"
     "    None -> Err(\"not a number: \" <> s)\n"
     "  end\n"
     "end\n"
     "\n"
     "fn total(a :: String, b :: String) -> Result<Int, String> do\n"
     "  Ok(parse(a)? + parse(b)?)\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(\"${total(\"1\", \"2\")}\")\n"
     "end\n",
     NULL},
    {"E0037", "`?` on a value that is not a Result or an Option",
     "`?` unwraps a `Result` or an `Option`. A plain value needs no unwrapping: drop the `?`.",
     "fn bump(n :: Int) -> Result<Int, String> do\n"
     "  let v = n?\n"
     "  Ok(v + 1)\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(\"${bump(1)}\")\n"
     "end\n",
     "fn bump(n :: Int) -> Result<Int, String> do\n"
     "  Ok(n + 1)\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(\"${bump(1)}\")\n"
     "end\n",
     NULL},
    {"E0038", "a field cannot be turned into JSON",
     "`deriving(Json)` needs every field to have a JSON form: numbers, strings, booleans, "
     "lists, maps with String keys, options and other types deriving Json. A `Pid`, a function "
     "or a map with other keys has none.",
     "struct Job do\n"
     "  name :: String\n"
     "  owner :: Pid\n"
     "end deriving(Json)\n"
     "\n"
     "fn main() do\n"
     "  println(\"ok\")\n"
     "end\n",
     "struct Job do\n"
     "  name :: String\n"
     "  owner :: String\n"
     "end deriving(Json)\n"
     "\n"
     "fn main() do\n"
     "  println(\"ok\")\n"
     "end\n",
     NULL},
    {"E0039", "a field cannot be read from a database row",
     "`deriving(Row)` reads each field from a column of a database row, so every field must be "
     "a column type: Int, Float, Bool, String, or an Option of one (for NULL).",
     "struct User do\n"
     "  name :: String\n"
     "  tags :: List<String>\n"
     "end deriving(Row)\n"
     "\n"
     "fn main() do\n"
     "  println(\"ok\")\n"
     "end\n",
     "struct User do\n"
     "  name :: String\n"
     "  tags :: String\n"
     "end deriving(Row)\n"
     "\n"
     "fn main() do\n"
     "  println(\"ok\")\n"
     "end\n",
     NULL},
    {"W0001", "redundant arm (warning)",
     "An arm (or clause) can never match, because the arms before it already cover every value "
     "it would match; often a wildcard `_` placed too early. Move it, or remove the arm.",
     "type Color do\n"
     "  Red\n"
     "  Green\n"
     "  Blue\n"
     "end\n"
     "\n"
     "fn name(c :: Color) -> String do\n"
     "  case c do\n"
     "    Red -> \"red\"\n"
     "    _ -> \"other\"\n"
     "    Blue -> \"blue\"\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(name(Blue))\n"
     "end\n",
     "type Color do\n"
     "  Red\n"
     "  Green\n"
     "  Blue\n"
     "end\n"
     "\n"
     "fn name(c :: Color) -> String do\n"
     "  case c do\n"
     "    Red -> \"red\"\n"
     "    Blue -> \"blue\"\n"
     "    _ -> \"other\"\n"
     "  end\n"
     "end\n"
     "\n"
     "fn main() do\n"
     "  println(name(Blue))\n"
     "end\n",
     NULL},
    {"W0002", "annotation on a later clause (warning)",
     "A multi-clause function takes its visibility, generic parameters, return type and `where` "
     "clause from its first clause. Written on a later clause they are ignored: put them on "
     "the first.",
     "fn fact(0) = 1\n"
     "fn fact(n) -> Int = n * fact(n - 1)\n"
     "\n"
     "fn main() do\n"
     "  println(\"${fact(5)}\")\n"
     "end\n",
     "fn fact(0) -> Int = 1\n"
     "fn fact(n) = n * fact(n - 1)\n"
     "\n"
     "fn main() do\n"
     "  println(\"${fact(5)}\")\n"
     "end\n",
     NULL},
    {"W0003", "a project module replaces a library module (warning)",
     "A file of the project has the name of a standard-library module (`math.snow` is `Math`). "
     "In the files that import it, `Math.f` is the project's function and the library's `Math` "
     "is out of reach; files that do not import it keep the library module. Rename the file to "
     "keep both.",
     "# file: main.snow\n"
     "import Math\n"
     "\n"
     "fn main() do\n"
     "  println(\"${Math.double(21)}\")\n"
     "end\n"
     "# file: math.snow\n"
     "pub fn double(n :: Int) -> Int = n * 2\n",
     "# file: main.snow\n"
     "import MyMath\n"
     "\n"
     "fn main() do\n"
     "  println(\"${MyMath.double(21)} ${Math.sqrt(16.0)}\")\n"
     "end\n"
     "# file: my_math.snow\n"
     "pub fn double(n :: Int) -> Int = n * 2\n",
     NULL},
    {"W0004", "unused variable (warning)",
     "A variable is bound (by `let`, a parameter or a pattern) and never used: often a typo in a "
     "later use, or a value computed and forgotten. If it is meant to be unused, start its name "
     "with `_` (`_reason`), or write `_` alone.\n\n"
     "Unused names are reported only when the program has no errors.",
     "fn main() do\n"
     "  let total = 3 + 4\n"
     "  println(\"done\")\n"
     "end\n",
     "fn main() do\n"
     "  let total = 3 + 4\n"
     "  println(\"done: ${total}\")\n"
     "end\n",
     NULL},
    {"W0005", "unused function (warning)",
     "A private function is never called (recursive calls inside itself do not count). Remove "
     "it, call it, or start its name with `_` to keep it for later. Functions marked `pub` are "
     "for other files and are never reported.",
     "fn helper(n :: Int) -> Int = n + 1\n"
     "\n"
     "fn main() do\n"
     "  println(\"hi\")\n"
     "end\n",
     "fn helper(n :: Int) -> Int = n + 1\n"
     "\n"
     "fn main() do\n"
     "  println(\"${helper(1)}\")\n"
     "end\n",
     NULL},
    {"W0006", "unused import (warning)",
     "An `import Module` from which the file uses nothing (no `Module.name`, none of its types "
     "or constructors), or a name of a `from Module import ...` list that the file never uses. "
     "Remove it.",
     "from String import length, trim\n"
     "\n"
     "fn main() do\n"
     "  println(\"${length(\"snow\")}\")\n"
     "end\n",
     "from String import length\n"
     "\n"
     "fn main() do\n"
     "  println(\"${length(\"snow\")}\")\n"
     "end\n",
     NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

const Explanation *explain_find(const char *code) {
    char want[16];
    size_t n = strlen(code);
    if (n == 0 || n > 6) return NULL;
    bool digits = true;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)code[i])) digits = false;
    if (digits) snprintf(want, sizeof want, "E%04d", atoi(code));
    else {
        for (size_t i = 0; i <= n; i++) want[i] = (char)toupper((unsigned char)code[i]);
    }
    for (const Explanation *e = explain_table; e->code; e++)
        if (strcmp(e->code, want) == 0) return e;
    return NULL;
}

/* Print text wrapped at 78 columns; "\n\n" separates paragraphs. */
static void print_wrapped(const char *text) {
    const char *p = text;
    int col = 0;
    while (*p) {
        if (p[0] == '\n' && p[1] == '\n') {
            fputs("\n\n", stdout);
            col = 0;
            p += 2;
            continue;
        }
        const char *w = p;
        while (*p && *p != ' ' && *p != '\n') p++;
        int len = (int)(p - w);
        if (col && col + 1 + len > 78) {
            fputc('\n', stdout);
            col = 0;
        } else if (col) {
            fputc(' ', stdout);
            col++;
        }
        fwrite(w, 1, (size_t)len, stdout);
        col += len;
        while (*p == ' ' || (*p == '\n' && p[1] != '\n')) p++;
    }
    fputc('\n', stdout);
}

static void print_program(const char *prog) {
    const char *p = prog;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n) printf("    %.*s\n", (int)n, p);
        else fputc('\n', stdout);
        p += n + (nl ? 1 : 0);
    }
}

int cmd_explain(int argc, char **argv) {
    if (argc < 2) {
        puts("snow explain CODE shows what a diagnostic means, with an example and its fix.\n");
        puts("codes:");
        for (const Explanation *e = explain_table; e->code; e++) printf("  %s  %s\n", e->code, e->title);
        return 0;
    }
    if (argc > 2) {
        fprintf(stderr, "snow explain: one CODE at a time (got %d arguments)\n", argc - 1);
        return 2;
    }
    const Explanation *e = explain_find(argv[1]);
    if (!e) {
        fprintf(stderr, "snow explain: no diagnostic has the code '%s'\n", argv[1]);
        fputs("  = help: codes look like E0004 or W0004 (the part in brackets of `error[E0004]`); run `snow "
              "explain` to list them all\n",
              stderr);
        return 2;
    }
    printf("%s: %s\n\n", e->code, e->title);
    print_wrapped(e->text);
    if (e->reported_as && strcmp(e->reported_as, "none") == 0)
        puts("\nThis program, once an error, is accepted:\n");
    else if (e->reported_as)
        printf("\nThis program is reported as %s:\n\n", e->reported_as);
    else
        printf("\nThis program is reported with %s:\n\n", e->code);
    print_program(e->example);
    puts(e->reported_as && strcmp(e->reported_as, "none") == 0 ? "\nand so is this one:\n"
                                                                : "\nFixed:\n");
    print_program(e->fixed);
    return 0;
}
