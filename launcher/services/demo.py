"""The demo: the sandbox on a free loopback port and its accounts in a throw-away profile."""

from __future__ import annotations

from launcher.core.models import Account, Provider
from launcher.sandbox.demo import demo_accounts
from launcher.sandbox.server import RunningSandbox, start_in_thread
from launcher.store.accounts import AccountStore
from launcher.store.db import Database, open_database
from launcher.store.paths import Paths
from launcher.store.secrets import KINDS, SecretStore


def start_demo(paths: Paths, db: Database | None = None) -> RunningSandbox:
    """Start the sandbox and write the demo accounts (secrets in the profile's file).

    The accounts go to *db*, the demo profile's open database, or (without one) to the
    profile's database opened and closed here.
    """
    running = start_in_thread()
    try:
        secrets = SecretStore(paths.secrets_file, backend="file")
        accounts = []
        for demo in demo_accounts(running.base_url):
            accounts.append(
                Account(
                    name=demo.name,
                    provider=Provider(demo.provider),
                    base_url=demo.base_url,
                    relay_url=demo.relay_url,
                    web_url=demo.web_url,
                    username=demo.username,
                )
            )
            for kind, value in demo.secrets.items():
                if kind in KINDS:
                    secrets.set(demo.name, kind, value)
        if db is not None:
            AccountStore(db).save(accounts)
        else:
            with open_database(paths) as own:
                AccountStore(own).save(accounts)
    except BaseException:
        running.stop()
        raise
    return running
