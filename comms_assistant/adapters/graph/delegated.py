"""The Teams service account for a real tenant: signed in once by device code
(`comms-assistant graph login`), its tokens in a persistent cache and its `AuthenticationRecord`
in a file, so workers then sign in silently. Tokens are never logged or put in messages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from comms_assistant.config import SettingsError

if TYPE_CHECKING:
    from comms_assistant.config import Settings


class DelegatedCredential:
    """The Teams service account, signed in by device code once, silent afterwards.

    Wraps azure-identity's `DeviceCodeCredential` with a persistent token cache and the saved
    `AuthenticationRecord`. A worker never prompts (nobody would see the code): when the
    refresh token is missing or expired it fails, saying to run `comms-assistant graph login`.
    """

    def __init__(self, settings: Settings, *, interactive: bool = False, **kwargs: Any) -> None:
        from azure.identity import DeviceCodeCredential, TokenCachePersistenceOptions

        self.account = settings.teams_account or ""
        self.record_path = settings.teams_record_path
        self.record = load_record(self.record_path)
        cache = TokenCachePersistenceOptions(
            name=settings.token_cache_name,
            allow_unencrypted_storage=settings.token_cache_unencrypted,
        )
        record = None if interactive else self.record
        if record is not None:
            # The record carries its own client id, tenant and authority, and azure-identity
            # refuses them twice; a record from another cloud or app would never sign in.
            client_id = settings.teams_client_id or settings.client_id
            if (record.authority, record.client_id) != (settings.login_host, client_id):
                raise SettingsError(
                    f"{self.record_path} is a sign-in for app {record.client_id} at "
                    f"{record.authority}, not {client_id} at {settings.login_host}: run "
                    "`comms-assistant graph login` again"
                )
            self._inner = DeviceCodeCredential(
                cache_persistence_options=cache,
                authentication_record=record,
                disable_automatic_authentication=True,
                **kwargs,
            )
            return
        self._inner = DeviceCodeCredential(
            client_id=settings.teams_client_id or settings.client_id,
            tenant_id=settings.tenant_id,
            authority=settings.login_host,
            cache_persistence_options=cache,
            disable_automatic_authentication=not interactive,
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"DelegatedCredential(account={self.account!r}, record={str(self.record_path)!r})"

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        from azure.identity import AuthenticationRequiredError

        if self.record is None:
            raise ClientAuthenticationError(self._not_signed_in("it has never signed in here"))
        # kiota asks with enable_cae=True, and azure-identity keeps CAE tokens in a cache of
        # their own: every caller (and sign_in) uses that one, or the sign-in would be missed.
        kwargs["enable_cae"] = True
        try:
            return self._inner.get_token(*scopes, **kwargs)
        except AuthenticationRequiredError:
            raise ClientAuthenticationError(
                self._not_signed_in("its saved sign-in is missing or has expired")
            ) from None

    def sign_in(self, scopes: list[str]) -> Any:
        """Device-code sign-in (prints a code to enter at microsoft.com/devicelogin); saves the
        record so later runs sign in silently. Returns the AuthenticationRecord."""
        record = self._inner.authenticate(scopes=scopes, enable_cae=True)
        save_record(self.record_path, record)
        self.record = record
        return record

    def close(self) -> None:
        self._inner.close()

    def _not_signed_in(self, why: str) -> str:
        return (
            f"the Teams service account {self.account} is not signed in ({why}): run "
            "`comms-assistant graph login` as the operator"
        )


def load_record(path: Path) -> Any:
    """The saved AuthenticationRecord, or None. It holds ids and the user name, no token."""
    from azure.identity import AuthenticationRecord

    try:
        return AuthenticationRecord.deserialize(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError) as error:
        raise SettingsError(f"{path} is not a saved sign-in record: {error}") from None


def save_record(path: Path, record: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not a secret, but it names the account and tenant: keep it to the service's user.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(record.serialize())
