/* cmd_backends.h: the backend subcommands, each parsing its own arguments (argv[0] is its name). */
#ifndef VSOLVE_CMD_BACKENDS_H
#define VSOLVE_CMD_BACKENDS_H

/* vsolve pull [--download-cache DIR]... [--jobs N] [--format text|json] LOCK [-o PROJECT_DIR] */
int cmd_pull(int argc, char **argv);
/* vsolve nix-preseed [--download-cache DIR]... [--nix-store PROG] LOCK */
int cmd_nix_preseed(int argc, char **argv);

#endif
