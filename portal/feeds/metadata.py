"""schema.org and DCAT descriptions of technologies and public datasets, as plain dicts.

One place builds them, so the pages' JSON-LD, the DCAT catalogue and the tests agree.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from portal.catalog.labels import catalog_label, key_figures
from portal.datasets.models import Dataset, DatasetFile
from portal.formatting import render_markdown
from portal.vocabulary import Visibility

PUBLISHER_NAME = "Centre of Excellence for Rechargeable Battery Technology"
DOWNLOAD_FORMATS = {
    "original": None,
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
}


def plain_text(markdown_text: str | None) -> str:
    """Markdown as the plain text a preview or a harvester shows."""
    return " ".join(render_markdown(markdown_text or "").striptags().split())


def _publisher() -> dict[str, Any]:
    return {
        "@type": "Organization",
        "name": PUBLISHER_NAME,
        "url": url_for("core.home", _external=True),
    }


def _hindi_name(record) -> dict[str, Any]:
    """The Hindi title as a language-tagged alternateName (the name itself stays English)."""
    if not (record.title_hi or "").strip():
        return {}
    return {"alternateName": {"@value": record.title_hi.strip(), "@language": "hi"}}


def technology_jsonld(technology) -> dict[str, Any]:
    """A technology offered for licensing as a schema.org Product with its key figures."""
    url = url_for("catalog.detail", slug=technology.slug, _external=True)
    properties = [
        {"@type": "PropertyValue", "name": "Technology readiness level", "value": technology.trl}
    ] + [
        {"@type": "PropertyValue", "name": label, "value": value}
        for label, value in key_figures(technology)
    ]
    return {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": technology.title,
        **_hindi_name(technology),
        "description": technology.summary,
        "url": url,
        "category": catalog_label("category", technology.category),
        "brand": _publisher(),
        "additionalProperty": properties,
        "dateModified": technology.updated_at.isoformat(),
    }


def _distributions(dataset: Dataset, files: list[DatasetFile]) -> list[dict[str, Any]]:
    out = []
    for dataset_file in files:
        if dataset_file.status != "ingested":
            continue
        for form, media in DOWNLOAD_FORMATS.items():
            link = url_for(
                "datasets.download",
                slug=dataset.slug,
                file_id=dataset_file.id,
                form=form,
                _external=True,
            )
            out.append(
                {
                    "name": f"{dataset_file.original_filename} ({form})",
                    "url": link,
                    "media": media,
                    "format": dataset_file.format if form == "original" else form,
                }
            )
    return out


def dataset_jsonld(dataset: Dataset, files: list[DatasetFile]) -> dict[str, Any]:
    """A dataset as schema.org Dataset (what Google Dataset Search reads)."""
    url = url_for("datasets.detail", slug=dataset.slug, _external=True)
    public = dataset.visibility == Visibility.PUBLIC
    description = plain_text(dataset.description) or dataset.title
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": dataset.title,
        **_hindi_name(dataset),
        "description": description
        if len(description) >= 50
        else f"{description} — battery cycler test data.",
        "url": url,
        "identifier": url,
        "keywords": [
            k for k in ("battery", "cycle life", dataset.chemistry, dataset.cell_format) if k
        ],
        "creator": _publisher(),
        "publisher": _publisher(),
        "dateModified": dataset.updated_at.isoformat(),
        "isAccessibleForFree": public,
        "variableMeasured": [
            "voltage (V)",
            "current (A)",
            "charge capacity (Ah)",
            "discharge capacity (Ah)",
        ],
    }
    if dataset.licence_terms:
        data["license"] = dataset.licence_terms[:500]
    if public:
        data["distribution"] = [
            {
                "@type": "DataDownload",
                "contentUrl": d["url"],
                "encodingFormat": d["media"] or d["format"],
            }
            for d in _distributions(dataset, files)
        ]
    return data


def dcat_catalogue(datasets: list[tuple[Dataset, list[DatasetFile]]]) -> dict[str, Any]:
    """The public datasets as a DCAT catalogue in JSON-LD, for open-data harvesters."""
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@id": url_for("feeds.dcat", _external=True),
        "@type": "dcat:Catalog",
        "dct:title": "Battery Technology-Transfer Portal: public battery test datasets",
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": PUBLISHER_NAME},
        "dcat:dataset": [
            {
                "@id": url_for("datasets.detail", slug=dataset.slug, _external=True),
                "@type": "dcat:Dataset",
                "dct:title": dataset.title,
                "dct:description": plain_text(dataset.description) or dataset.title,
                "dct:modified": dataset.updated_at.date().isoformat(),
                "dcat:keyword": [k for k in ("battery", dataset.chemistry, dataset.test_type) if k],
                "dcat:landingPage": url_for("datasets.detail", slug=dataset.slug, _external=True),
                "dct:license": dataset.licence_terms or "",
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dct:title": d["name"],
                        "dcat:downloadURL": d["url"],
                        "dct:format": d["format"],
                        **({"dcat:mediaType": d["media"]} if d["media"] else {}),
                    }
                    for d in _distributions(dataset, files)
                ],
            }
            for dataset, files in datasets
        ],
    }
