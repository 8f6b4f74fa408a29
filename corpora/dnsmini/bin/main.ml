(* dnsmini: a DNS-like responder on 127.0.0.1 (UDP, lwt) answering A queries from a zone,
   and a client asking it a fixed list of names; prints the answers, then a summary s-expression. *)

let zone_text =
  {|# name            type  address
www.example.org     A     192.0.2.10
mail.example.org    A     192.0.2.25
ns1.example.org     A     198.51.100.53
Example.ORG         A     192.0.2.1
|}

let src = Logs.Src.create "dnsmini" ~doc:"dnsmini responder"
module Log = (val Logs.src_log src : Logs.LOG)

(* Zone lines: three fields separated by blanks; '#' starts a comment. *)
let parse_zone text =
  let comment = Re.compile (Re.seq [ Re.char '#'; Re.rep Re.any ]) in
  let blanks = Re.compile (Re.rep1 (Re.set " \t")) in
  Stringext.split text ~on:'\n'
  |> List.filter_map (fun line ->
         let line = String.trim (Re.replace_string comment ~by:"" line) in
         if line = "" then None
         else
           match Re.split blanks line with
           | [ name; "A"; addr ] ->
               let name = Domain_name.(host_exn (of_string_exn name)) in
               Some (name, Ipaddr.V4.of_string_exn addr)
           | _ -> failwith ("bad zone line: " ^ line))

(* Wire format: query = id (2 bytes, big endian) + name; answer = id + rcode (1 byte) + IPv4 (4 bytes). *)
let encode_query id name =
  let cs = Cstruct.create (2 + String.length name) in
  Cstruct.BE.set_uint16 cs 0 id;
  Cstruct.blit_from_string name 0 cs 2 (String.length name);
  cs

let answer zone query =
  let id = Cstruct.BE.get_uint16 query 0 in
  let name = Cstruct.to_string ~off:2 query in
  let reply = Cstruct.create 7 in
  Cstruct.BE.set_uint16 reply 0 id;
  (match Result.bind (Domain_name.of_string name) Domain_name.host with
   | Ok host -> (
       match List.find_opt (fun (n, _) -> Domain_name.equal n host) zone with
       | Some (_, ip) ->
           Cstruct.set_uint8 reply 2 0;
           Cstruct.BE.set_uint32 reply 3 (Ipaddr.V4.to_int32 ip)
       | None -> Cstruct.set_uint8 reply 2 3 (* NXDOMAIN *))
   | Error _ -> Cstruct.set_uint8 reply 2 1 (* FORMERR *));
  Log.debug (fun m -> m "query %d for %S" id name);
  reply

let serve zone sock n =
  let buf = Bytes.create 512 in
  let rec go k =
    if k = 0 then Lwt.return_unit
    else
      Lwt.bind (Lwt_unix.recvfrom sock buf 0 512 []) (fun (len, peer) ->
          let reply = answer zone (Cstruct.of_bytes ~len buf) in
          Lwt.bind
            (Lwt_unix.sendto sock (Cstruct.to_bytes reply) 0 (Cstruct.length reply) [] peer)
            (fun _ -> go (k - 1)))
  in
  go n

let ask sock server id name =
  let q = encode_query id name in
  Lwt.bind (Lwt_unix.sendto sock (Cstruct.to_bytes q) 0 (Cstruct.length q) [] server) (fun _ ->
      let buf = Bytes.create 64 in
      Lwt.map
        (fun (len, _) ->
          let r = Cstruct.of_bytes ~len buf in
          let rid = Cstruct.BE.get_uint16 r 0 in
          if rid <> id then failwith "answer to another query";
          match Cstruct.get_uint8 r 2 with
          | 0 -> (name, Ok (Ipaddr.V4.of_int32 (Cstruct.BE.get_uint32 r 3)))
          | 3 -> (name, Error "NXDOMAIN")
          | _ -> (name, Error "FORMERR"))
        (Lwt_unix.recvfrom sock buf 0 64 []))

let sexp_of_answer (name, r) =
  let open Sexplib0.Sexp in
  match r with
  | Ok ip -> List [ Atom name; Atom (Ipaddr.V4.to_string ip) ]
  | Error e -> List [ Atom name; Atom e ]

let queries = [ "www.example.org"; "example.org"; "nope.example.org"; "MAIL.example.org"; "bad..name" ]

let main () =
  let zone = parse_zone zone_text in
  let loopback = Unix.inet_addr_of_string (Ipaddr.V4.to_string Ipaddr.V4.localhost) in
  let server = Lwt_unix.socket Unix.PF_INET Unix.SOCK_DGRAM 0 in
  let client = Lwt_unix.socket Unix.PF_INET Unix.SOCK_DGRAM 0 in
  Lwt.bind (Lwt_unix.bind server (Unix.ADDR_INET (loopback, 0))) (fun () ->
      let addr = Lwt_unix.getsockname server in
      let served = serve zone server (List.length queries) in
      let rec loop id acc = function
        | [] -> Lwt.return (List.rev acc)
        | q :: rest -> Lwt.bind (ask client addr id q) (fun a -> loop (id + 1) (a :: acc) rest)
      in
      Lwt.bind (loop 1 [] queries) (fun answers ->
          Lwt.map
            (fun () ->
              Lwt_unix.close server |> ignore;
              Lwt_unix.close client |> ignore;
              answers)
            served))

let () =
  Logs.set_reporter (Logs_fmt.reporter ~dst:Fmt.stderr ());
  Logs.set_level (Some Logs.Warning);
  let answers = Lwt_main.run (main ()) in
  List.iter
    (fun (name, r) ->
      match r with
      | Ok ip -> Fmt.pr "%-18s A %a@." name Ipaddr.V4.pp ip
      | Error e -> Fmt.pr "%-18s %s@." name e)
    answers;
  Fmt.pr "%s@." (Sexplib0.Sexp.to_string (Sexplib0.Sexp.List (List.map sexp_of_answer answers)))
