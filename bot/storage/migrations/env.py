"""Alembic environment: runs against the engine handed over by bot.storage.database,
or the database configured in the environment (``alembic upgrade head``)."""

from __future__ import annotations

from alembic import context

from bot.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _engine():  # noqa: ANN202
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    from bot.storage.config import database_url
    from bot.storage.database import make_engine

    return make_engine(database_url())


def _include(name, type_, *_args) -> bool:  # noqa: ANN001
    # Rasa's own tables (events) are not ours to migrate.
    return type_ != "table" or name is None or name.startswith("b12_")


def run_migrations_offline() -> None:
    from bot.storage.config import database_url

    context.configure(url=str(database_url()), target_metadata=target_metadata,
                      literal_binds=True, include_name=_include)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          include_name=_include, version_table="b12_alembic_version")
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
