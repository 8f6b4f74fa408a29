(* stub 2.0: answer comes from C, the same symbol name in every version *)
external answer : unit -> int = "stub_answer"
external tag : unit -> string = "stub_tag"
let version = "2.0"
let describe () = Printf.sprintf "stub %s (%s) answers %d" version (tag ()) (answer ())
