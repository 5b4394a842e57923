"""The script-facing API of an application task: variables, communication, observer."""
