/*
 * commands.h - the subcommands of muppy-analyze.
 *
 * Adding a command:
 *   1. write cmd_<name>.c exposing only cmd_<name>(argc, argv) (argv[0] is
 *      the command name), with its options table and an_usage; it parses,
 *      calls the modules (snap.h, paths.h, dominators.h, diff.h, ...),
 *      and prints (output.h, util.h, json.h); the modules never print;
 *   2. declare it here and add a row to the table in main.c;
 *   3. add it to analyzer/CMakeLists.txt;
 *   4. test it in tests/analyzer/ (help, --json contract, errors);
 *   5. document it in spec/analyzer.md and its JSON in spec/json.md.
 * A command returns its exit status (an_exit) and never calls exit().
 */
#ifndef AN_COMMANDS_H
#define AN_COMMANDS_H

int cmd_info(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_paths(int argc, char **argv);
int cmd_referrers(int argc, char **argv);
int cmd_retained(int argc, char **argv);
int cmd_dominators(int argc, char **argv);
int cmd_leaks(int argc, char **argv);
int cmd_trend(int argc, char **argv);
int cmd_scrub(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif /* AN_COMMANDS_H */
