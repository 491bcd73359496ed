def test_the_participation_view_never_says_none():
    """The campaign page's table: a questionnaire not sent reads « — », a sent one its day and
    hour in Paris time (a winter evening in UTC is the next day's hour in Paris)."""
    import pandas as pd

    from diagnostic.campaigns.coordination import participation_view

    table = pd.DataFrame(
        {
            "id": [1, 2],
            "Envoyé le": pd.to_datetime([None, "2026-12-05T22:30:00Z"], utc=True),
        }
    )
    assert list(participation_view(table)["Envoyé le"]) == ["—", "05/12/2026 23:30"]
