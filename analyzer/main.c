/*
 * main.c - muppy-analyze: dispatch to the subcommands (cli/commands.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/message.h"
#include "cli/safetext.h"
#include "muppy_format.h"

static void
main_usage(FILE *f)
{
    fputs("usage: " AN_PROG " [--version] [--help] <command> [<args>]\n"
          "\n"
          "Analyze muppy heap snapshots of CPython processes.\n"
          "\n"
          "commands:\n", f);
    /* each command's one-line summary is its own usage's */
    for (size_t i = 0; an_commands[i] != NULL; i++) {
        fprintf(f, "  %-11s %s\n", an_commands[i]->usage->name,
                an_commands[i]->usage->summary);
    }
    fputs("\n"
          "'" AN_PROG " help <command>' or '" AN_PROG " <command> --help'\n"
          "shows a command's options.  Every command but export and\n"
          "report takes --json.\n"
          "\n"
          "exit status: 0 success, 1 bad or damaged input, 2 usage,\n"
          "3 a --fail-above threshold exceeded\n", f);
}

int
main(int argc, char **argv)
{
    const an_command *cmd;
    const char *name;
    int rc;

    /* never die of a signal: a closed pipe (`| head`) becomes a write
     * error, reported below */
    signal(SIGPIPE, SIG_IGN);
    /* a file size limit makes writes fail with EFBIG, reported like a
     * full disk, instead of killing the process */
    signal(SIGXFSZ, SIG_IGN);
    /* names from the file never drive the reader's terminal */
    if (an_safe_stdout() != 0) {
        an_error("cannot set up the output: %s", strerror(errno));
        return AN_EXIT_INPUT;
    }
    if (argc < 2) {
        main_usage(stderr);
        return AN_EXIT_USAGE;
    }
    name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
        main_usage(stdout);
        return AN_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf(AN_PROG " %s (snapshot format %d.%d)\n", MF_LIBRARY_VERSION,
               MF_FORMAT_MAJOR, MF_FORMAT_MINOR);
        return AN_EXIT_OK;
    }
    if (strcmp(name, "help") == 0) {
        char *help_argv[3];

        if (argc < 3) {
            main_usage(stdout);
            return AN_EXIT_OK;
        }
        cmd = an_command_find(argv[2]);
        if (cmd == NULL) {
            an_error("unknown command '%s'", argv[2]);
            main_usage(stderr);
            return AN_EXIT_USAGE;
        }
        help_argv[0] = argv[2];
        help_argv[1] = "--help";
        help_argv[2] = NULL;
        return cmd->run(2, help_argv);
    }
    cmd = an_command_find(name);
    if (cmd == NULL) {
        if (name[0] == '-') {
            an_error("unknown option '%s'", name);
        }
        else {
            an_error("unknown command '%s'", name);
        }
        main_usage(stderr);
        return AN_EXIT_USAGE;
    }
    errno = 0;
    rc = cmd->run(argc - 1, argv + 1);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        /* the reader went away (`| head`): nothing to say to anyone */
        if (errno != EPIPE) {
            an_error("cannot write the output: %s", strerror(errno));
        }
        if (rc == AN_EXIT_OK) {
            rc = AN_EXIT_INPUT;
        }
    }
    return rc;
}
