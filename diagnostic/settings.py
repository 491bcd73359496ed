"""One settings object: environment variables first, then root keys of .streamlit/secrets.toml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = ROOT / ".streamlit" / "secrets.toml"


class Settings(BaseSettings):
    """Every setting of the app. Each one is documented in README.md (a test checks it)."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    database_url: str | None = Field(
        default=None,
        description="URL SQLAlchemy de la base ; par défaut un fichier SQLite dans DATA_DIR.",
    )
    db_pool_size: int = Field(
        default=20,
        ge=1,
        le=500,
        description=(
            "PostgreSQL : connexions gardées ouvertes par processus de l'application "
            "(voir « Hébergement »)."
        ),
    )
    db_pool_overflow: int = Field(
        default=10,
        ge=0,
        le=500,
        description="PostgreSQL : connexions ouvertes au-delà, le temps d'un pic, par processus.",
    )
    data_dir: Path = Field(default=ROOT / "data", description="Dossier des données locales.")
    questions_dir: Path = Field(
        default=ROOT / "questions", description="Dossier des questionnaires et bibliothèques."
    )
    load_demo: bool = Field(
        default=True, description="Charger le territoire de démonstration si la base est vide."
    )
    public_url: str = Field(
        default="http://localhost:8501",
        description="Adresse publique de l'application, pour les liens d'invitation.",
    )
    min_group_size: int = Field(
        default=3, ge=1, description="Nombre minimal de réponses pour détailler un groupe."
    )
    min_peer_territories: int = Field(
        default=5, ge=1, description="Nombre minimal de territoires dans un groupe de pairs."
    )
    session_timeout_minutes: int = Field(
        default=60, ge=1, description="Déconnexion après ce délai d'inactivité."
    )
    max_failed_logins: int = Field(
        default=5,
        ge=1,
        description=(
            "Mots de passe erronés sur un compte depuis une même adresse avant que cette adresse "
            "soit bloquée pour ce compte (4 fois plus si l'adresse est inconnue)."
        ),
    )
    lockout_minutes: int = Field(
        default=15,
        ge=1,
        description="Fenêtre de décompte des échecs et durée du blocage qui les suit.",
    )
    retention_days: int = Field(
        default=365,
        ge=1,
        description="Jours après la clôture d'une campagne avant la purge des noms et des liens.",
    )
    oidc_enabled: bool | None = Field(
        default=None,
        description=(
            "Connexion par le compte de la collectivité (OIDC) : true l'affiche, false la masque ; "
            "par défaut, proposée dès qu'une section [auth] figure dans secrets.toml."
        ),
    )
    workshop_refresh_seconds: int = Field(
        default=6,
        ge=2,
        le=60,
        description=(
            "Atelier en direct : les téléphones se mettent à jour toutes les N secondes, l'écran "
            "projeté et la console deux fois plus souvent (3 s au plus)."
        ),
    )
    workshop_push_seconds: float = Field(
        default=0.25,
        ge=0,
        le=5,
        description=(
            "Atelier en direct : toutes les N secondes, chaque processus regarde si un atelier "
            "suivi a changé (étape, minuteur, résultats, contribution mise en avant…) et "
            "actualise aussitôt les pages qui le suivent ; 0 coupe cet envoi (restent les "
            "actualisations périodiques)."
        ),
    )
    link_secret: SecretStr | None = Field(
        default=None,
        description=(
            "Secret dont dérivent les liens d'invitation (recalculés pour les relances, jamais "
            "stockés) ; à défaut, créé une fois dans DATA_DIR/link-secret."
        ),
    )
    smtp_host: str | None = Field(
        default=None,
        description="Serveur d'envoi des courriels ; sans lui, la page propose un publipostage.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Port du serveur SMTP.")
    smtp_security: Literal["starttls", "ssl", "aucune"] = Field(
        default="starttls",
        description="Chiffrement de la connexion SMTP : starttls (port 587), ssl (465) ou aucune.",
    )
    smtp_user: str | None = Field(default=None, description="Identifiant SMTP (facultatif).")
    smtp_password: SecretStr | None = Field(
        default=None, description="Mot de passe SMTP, à mettre dans secrets.toml."
    )
    smtp_sender: str | None = Field(
        default=None,
        description="Expéditeur des invitations, par ex. « Diagnostic <diagnostic@cc.fr> ».",
    )
    smtp_per_minute: int = Field(
        default=30,
        ge=1,
        le=600,
        description="Courriels envoyés au plus par minute (un clic en envoie au plus autant).",
    )
    environment: Literal["development", "production"] = Field(
        default="development", description="« production » active les contrôles stricts."
    )

    @model_validator(mode="after")
    def _strict_in_production(self) -> Settings:
        # The demo ships accounts whose passwords are printed in the README.
        if self.environment == "production" and self.load_demo:
            raise ValueError(
                "LOAD_DEMO doit valoir false en production : la démonstration crée des comptes "
                "dont le mot de passe est public"
            )
        return self

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, v: str) -> str:
        return v.rstrip("/")

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'diagnostic.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment first; the command line then also sees secrets.toml's root keys.
        toml = TomlConfigSettingsSource(settings_cls, toml_file=SECRETS_FILE)
        return (init_settings, env_settings, _LowerKeys(toml))


class _LowerKeys(PydanticBaseSettingsSource):
    """secrets.toml keys are written in upper case like environment variables."""

    def __init__(self, inner: TomlConfigSettingsSource):
        super().__init__(inner.settings_cls)
        self.inner = inner

    def get_field_value(self, field, field_name):  # type: ignore[no-untyped-def]
        return None, field_name, False

    def __call__(self) -> dict[str, object]:
        data = self.inner()
        return {k.lower(): v for k, v in data.items() if not isinstance(v, dict)}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings in force; tests call `get_settings.cache_clear()` after changing env."""
    return Settings()
