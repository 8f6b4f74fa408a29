(* left: needs stub < 2.0 and calls it as Stub.describe *)
let run () = "left sees " ^ Stub.describe ()
