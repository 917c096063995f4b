"""The register of processing activities (verwerkingsactiviteiten) the access log refers to.

Every log entry names one activity by its id (`dpl.core.processing_activity_id` in the Logboek
Dataverwerkingen standard). The register is small and fixed in code so that an id in the log always
resolves; `docs/logboek.md` lists it for the privacy officer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessingActivity:
    id: str
    name: str
    purpose: str
    legal_basis: str


_BASIS = "AVG art. 6 lid 1 sub e (taak van algemeen belang); bestuursafspraken LVV"

ADMISSION = ProcessingActivity(
    "lvv-aanmelding",
    "Aanmelding en toelating",
    "Aanmelden, identiteit vaststellen, toestemming vastleggen en beslissen over toelating tot de LVV.",
    _BASIS,
)
GUIDANCE = ProcessingActivity(
    "lvv-begeleiding",
    "Opvang en begeleiding",
    "Opvang, begeleiding naar een duurzame oplossing, perspectief, instrumenten en uitstroom.",
    _BASIS,
)
CASE_MEETING = ProcessingActivity(
    "lvv-casusoverleg",
    "Casusoverleg (LSO)",
    "Voorbereiden, voeren en vastleggen van het lokaal stuurgroepoverleg en de voortgang van trajecten.",
    _BASIS,
)
DATA_EXCHANGE = ProcessingActivity(
    "lvv-gegevensuitwisseling",
    "Aanlevering en landelijke monitor",
    "Aanleveren en uitwisselen van trajectgegevens voor de landelijke monitor.",
    _BASIS,
)
SUBJECT_RIGHTS = ProcessingActivity(
    "lvv-rechten-betrokkene",
    "Rechten van de betrokkene",
    "Inzage in de eigen gegevens en in wie ze heeft ingezien (AVG art. 15).",
    "AVG art. 6 lid 1 sub c (wettelijke verplichting), art. 15",
)
RETENTION = ProcessingActivity(
    "lvv-bewaartermijn",
    "Bewaartermijn en anonimisering",
    "Anonimiseren van persoonsgegevens na afloop van de bewaartermijn.",
    "AVG art. 5 lid 1 sub e (opslagbeperking)",
)

ACTIVITIES: dict[str, ProcessingActivity] = {
    a.id: a for a in (ADMISSION, GUIDANCE, CASE_MEETING, DATA_EXCHANGE, SUBJECT_RIGHTS, RETENTION)
}

#: URL namespace → the activity a page serves when the caller names none.
_BY_NAMESPACE = {
    "admissions": ADMISSION,
    "trajectories": GUIDANCE,
    "people": GUIDANCE,
    "meetings": CASE_MEETING,
    "progress": CASE_MEETING,
    "exchange": DATA_EXCHANGE,
    "monitor": DATA_EXCHANGE,
    "privacy": SUBJECT_RIGHTS,
}


def activity_for(view_name: str, activity: str | None = None) -> ProcessingActivity:
    """The activity of an access: the one named by the caller, else the one of the page's app."""
    if activity:
        try:
            return ACTIVITIES[activity]
        except KeyError:
            raise ValueError(f"Onbekende verwerkingsactiviteit: {activity}") from None
    namespace = view_name.split(":", 1)[0] if ":" in view_name else ""
    return _BY_NAMESPACE.get(namespace, GUIDANCE)


def activity_name(activity_id: str) -> str:
    found = ACTIVITIES.get(activity_id)
    return found.name if found else activity_id
