"""`lvv manage lvv_api_token --organisatie NAAM --naam X`: make an API token for an organisation and
print it once (only its hash is stored). `--intrekken` revokes the organisation's token of that name;
`--lijst` lists the tokens (never the tokens themselves)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localtime

from lvv.accounts.models import Organisation
from lvv.api.models import ApiToken
from lvv.api.services import api_token_create, api_token_revoke
from lvv.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Maak een API-token voor een organisatie (of trek er een in, of toon ze)."

    def add_arguments(self, parser):
        parser.add_argument("--organisatie", help="naam van de organisatie (zoals in lvv, bijv. 'Gemeente Utrecht')")
        parser.add_argument("--naam", help="naam van de token: welk systeem haar gebruikt")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--intrekken", action="store_true", help="trek de token met deze naam in")
        action.add_argument("--lijst", action="store_true", help="toon de tokens (van de organisatie, of alle)")

    def handle(self, *args, organisatie, naam, intrekken, lijst, **options):
        organisation = self._organisation(organisatie) if organisatie else None
        if lijst:
            self._list(organisation)
            return
        if organisation is None or not naam:
            raise CommandError("Geef --organisatie en --naam op.")
        try:
            if intrekken:
                token = ApiToken.objects.filter(organisation=organisation, name__iexact=naam.strip()).first()
                if token is None:
                    raise CommandError(f"{organisation} heeft geen token met de naam '{naam}'.")
                api_token_revoke(token=token)
                self.stdout.write(f"Token '{token.name}' van {organisation} (lvv_{token.key_id}…) is ingetrokken.")
                return
            token, clear = api_token_create(organisation=organisation, name=naam)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            f"Token '{token.name}' voor {organisation} gemaakt. Bewaar haar nu: lvv toont haar nooit meer.\n"
            "Gebruik: Authorization: Bearer <token>"
        )
        self.stdout.write(clear)

    def _organisation(self, name: str) -> Organisation:
        organisation = Organisation.objects.filter(name__iexact=name.strip()).first()
        if organisation is None:
            known = ", ".join(Organisation.objects.values_list("name", flat=True))
            raise CommandError(f"Onbekende organisatie '{name}'. Bekend: {known}.")
        return organisation

    def _list(self, organisation: Organisation | None) -> None:
        tokens = ApiToken.objects.select_related("organisation")
        if organisation is not None:
            tokens = tokens.filter(organisation=organisation)
        for token in tokens:
            state = f"ingetrokken {localtime(token.revoked_at):%Y-%m-%d %H:%M}" if token.revoked_at else "actief"
            created = f"aangemaakt {localtime(token.created_at):%Y-%m-%d %H:%M}"
            self.stdout.write(f"{token.organisation}\t{token.name}\tlvv_{token.key_id}…\t{created}\t{state}")
