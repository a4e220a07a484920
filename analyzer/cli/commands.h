/*
 * commands.h - the subcommands of muppy-analyze, and their table.
 *
 * Adding a command `frob` (docs/architecture.md):
 *   1. write cmd/frob.c exposing only `const an_command cmd_frob`: its
 *      an_usage (name, synopsis, one-line summary, description, example)
 *      and its run function, which parses the options (options.h), opens
 *      and loads the snapshots (open.h), calls the library (lib/) for
 *      the model, and hands it to a renderer (render/); computing and
 *      printing are never done here;
 *   2. declare it below and add it to the table in commands.c, in the
 *      order `muppy-analyze --help` lists it;
 *   3. add it to analyzer/CMakeLists.txt;
 *   4. test it: tests/analyzer/cli/frob.test (output, errors, help);
 *   5. document it in spec/analyzer.md and its JSON in spec/json.md.
 * A command returns its exit status (an_exit) and never calls exit().
 */
#ifndef AN_CLI_COMMANDS_H
#define AN_CLI_COMMANDS_H

#include "cli/options.h"

typedef struct an_command {
    const an_usage *usage;      /* its name and one-line summary too */
    int (*run)(int argc, char **argv);  /* argv[0]: the command's name */
} an_command;

extern const an_command cmd_info;
extern const an_command cmd_summary;
extern const an_command cmd_diff;
extern const an_command cmd_paths;
extern const an_command cmd_referrers;
extern const an_command cmd_retained;
extern const an_command cmd_dominators;
extern const an_command cmd_leaks;
extern const an_command cmd_trend;
extern const an_command cmd_scrub;
extern const an_command cmd_export;
extern const an_command cmd_report;

/* Every command, in the order of the help; NULL-terminated. */
extern const an_command *const an_commands[];

/* The command named `name`, or NULL. */
const an_command *an_command_find(const char *name);

#endif /* AN_CLI_COMMANDS_H */
