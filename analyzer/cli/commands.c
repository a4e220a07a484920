/*
 * commands.c - the table of the subcommands.
 */
#include "cli/commands.h"

#include <string.h>

const an_command *const an_commands[] = {
    &cmd_info,
    &cmd_summary,
    &cmd_diff,
    &cmd_paths,
    &cmd_referrers,
    &cmd_retained,
    &cmd_dominators,
    &cmd_leaks,
    &cmd_trend,
    &cmd_scrub,
    &cmd_export,
    &cmd_report,
    NULL,
};

const an_command *
an_command_find(const char *name)
{
    for (size_t i = 0; an_commands[i] != NULL; i++) {
        if (strcmp(an_commands[i]->usage->name, name) == 0) {
            return an_commands[i];
        }
    }
    return NULL;
}
