let () =
  print_endline (Left.run ());
  print_endline (Right.run ())
