(* right: needs stub >= 2.0 and calls it as Stub.describe *)
let run () = "right sees " ^ Stub.describe ()
