"""A plain sentence for the mistakes an operator can fix (settings, the database, the glossary,
the contacts directory), instead of a traceback; `comms-assistant` prints it and exits 2.
"""

from __future__ import annotations


def user_message(error: Exception) -> str | None:
    """A plain sentence for the mistakes an operator can fix; None for bugs."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError as SourceError

    from comms_assistant.adapters.contacts import ContactsError
    from comms_assistant.adapters.glossary import GlossaryError
    from comms_assistant.adapters.last_good import NoGoodCopy
    from comms_assistant.adapters.profiles import ProfileError
    from comms_assistant.adapters.sql.engine import DatabaseUnavailable, UnreadableDatabase
    from comms_assistant.config import SettingsError
    from comms_assistant.sandbox.reach import SandboxNotAnswering
    from comms_assistant.sandbox.state import UnreadableTenant

    if isinstance(error, ValidationError):
        problems = [f"  {setting_problem(tuple(e['loc']), e['msg'])}" for e in error.errors()]
        return "Settings are not valid (environment or comms-assistant.toml):\n" + "\n".join(
            problems
        )
    if isinstance(error, SourceError):
        return unparsable_setting(error)
    if isinstance(error, UnreadableDatabase | UnreadableTenant | DatabaseUnavailable):
        return f"comms-assistant: {error}"
    if isinstance(error, SandboxNotAnswering):
        return f"comms-assistant: {error}"
    if isinstance(error, ProfileError):
        return f"Settings problem: {error}\n{PROFILE_FIX}"
    if isinstance(error, NoGoodCopy):  # a mistake, and no good copy to use meanwhile
        return str(error)
    if isinstance(error, SettingsError):
        return f"Settings problem: {error}"
    if isinstance(error, GlossaryError):
        return f"The glossary has problems:\n{error}\n{CONTACTS_FIX}"
    if isinstance(error, ContactsError):
        said = str(error)
        if not said.startswith("The contacts directory"):
            said = f"The contacts directory has problems:\n{said}"
        return f"{said}\n{CONTACTS_FIX}"
    if isinstance(error, FileNotFoundError):
        return str(error)
    return None


PROFILE_FIX = (
    "The profile setting (COMMS_ASSISTANT_PROFILE or comms-assistant.toml) names a shipped "
    "profile or a .toml file of your own (comms_assistant/profiles/README.md)."
)
CONTACTS_FIX = (
    "Check the folder with `comms-assistant contacts check`; the contacts_dir setting "
    "(COMMS_ASSISTANT_CONTACTS_DIR or comms-assistant.toml) says where it is."
)


def setting_problem(loc: tuple[object, ...], message: str) -> str:
    if not loc:  # a rule across several settings names them itself
        return message.removeprefix("Value error, ")
    name = "_".join(map(str, loc))
    where = f"{name} (COMMS_ASSISTANT_{name.upper()})"
    if message == "Extra inputs are not permitted":
        return f"{where}: there is no such setting. {unknown_setting_fix(name)}"
    return f"{where}: {message}"


def unknown_setting_fix(name: str) -> str:
    """What to do about a name that is not a setting: the nearest real one, if any."""
    import difflib

    from comms_assistant.config import Settings

    near = difflib.get_close_matches(name, list(Settings.model_fields), n=1)
    hint = f"Did you mean {near[0]}? " if near else ""
    return (
        f"{hint}Take it out of comms-assistant.toml or the environment; `comms-assistant init "
        "--path all-settings.toml` writes every setting with what it means."
    )


# pydantic-settings says only which field it could not parse: the shape to write says the rest.
JSON_EXAMPLES = {
    "teams_webhooks": '{"destination": "https://..."}',
    "teams_transports": '{"destination": "bot"}',
    "bot_people": '{"entra object id": "person@example.org"}',
    "bot_allowed": '["person@example.org"]',
    "bot_allowed_roles": '["team member", "incident team"]',
    "bot_service_urls": '["https://..."]',
}


def unparsable_setting(error: Exception) -> str:
    """pydantic-settings' 'error parsing value for field "x" from source "EnvSettingsSource"'.

    It parses a list or table setting's environment variable as JSON, and names only the field.
    """
    import re

    from comms_assistant.config import Settings

    found = re.search(r'error (\w+) value for field "(\w+)" from source "(\w+)"', str(error))
    if found is None:
        return f"comms-assistant: a setting cannot be read: {error}"
    doing, name, source = found.groups()
    if doing != "parsing" or source != "EnvSettingsSource":
        return f"comms-assistant: the setting {name} cannot be read: {error.__cause__ or error}"
    field = Settings.model_fields.get(name)
    is_table = field is not None and repr(field.annotation).startswith("dict")
    example = JSON_EXAMPLES.get(name) or ('{"name": "value"}' if is_table else '["value"]')
    return f"comms-assistant: COMMS_ASSISTANT_{name.upper()} is not valid JSON: expected {example}"
