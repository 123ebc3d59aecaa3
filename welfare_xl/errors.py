"""The one exception type whose message is meant for the user."""


class UserError(Exception):
    """Something the user can act on; str(exc) is a complete Japanese sentence naming the file.

    The CLI prints it and exits with `exit_code`; the add-in shows it in a message box.
    """

    exit_code = 2
