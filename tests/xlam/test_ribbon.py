"""The ribbon XML: schema-valid, the agreed tags and labels, callbacks that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from welfare_xl.xlam import TAB_LABEL

REPO = Path(__file__).resolve().parents[2]
RIBBON = REPO / "addin" / "customUI" / "customUI14.xml"
VBA_DIR = REPO / "addin" / "vba"
SCHEMA = Path(__file__).resolve().parents[1] / "data" / "schemas" / "customUI14.xsd"
NS = {"ui": "http://schemas.microsoft.com/office/2009/07/customui"}

# The actions of the issue: group label -> [(tag, button label)].
EXPECTED_GROUPS = {
    "配布": [("split", "部署別シート作成")],
    "点検": [("check", "入力チェック"), ("clear", "チェック表示クリア")],
    "集約": [("consolidate", "集約"), ("undo", "元に戻す"), ("status", "提出状況")],
    "委員会": [("committee", "委員会版作成"), ("final", "最終評価")],
    "年度": [("rollover", "年度更新")],
    "設定": [("diagnose", "環境チェック")],
}
EXPECTED_TAGS = {"split", "check", "clear", "consolidate", "undo", "status", "committee", "final", "rollover", "diagnose"}

# imageMso names copied from the imageMso table of Microsoft's [MS-CUSTOMUI]
# specification (section 3.2), not from the ribbon XML: see data/imagemso/ORIGIN.md.
# An unknown name shows a blank icon silently, so a new icon is looked up there first.
IMAGE_MSO = Path(__file__).resolve().parents[1] / "data" / "imagemso" / "names.txt"
VERIFIED_IMAGE_MSO = {line.strip() for line in IMAGE_MSO.read_text(encoding="utf-8").splitlines() if line.strip()}


@pytest.fixture(scope="module")
def ribbon() -> etree._ElementTree:
    return etree.parse(str(RIBBON))


def buttons(ribbon: etree._ElementTree) -> list[etree._Element]:
    return ribbon.findall(".//ui:button", NS)


def test_ribbon_validates_against_customui14_schema(ribbon: etree._ElementTree) -> None:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    schema.assertValid(ribbon)


def test_schema_rejects_a_broken_ribbon(ribbon: etree._ElementTree) -> None:
    # Proves the validation above has teeth: an unknown attribute is an error.
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    broken = etree.fromstring(etree.tostring(ribbon))
    broken.find(".//ui:button", NS).set("colour", "red")
    assert not schema.validate(broken)


def test_one_tab_with_the_agreed_groups_labels_and_tags(ribbon: etree._ElementTree) -> None:
    root = ribbon.getroot()
    assert root.tag == f"{{{NS['ui']}}}customUI"
    tabs = root.findall("ui:ribbon/ui:tabs/ui:tab", NS)
    # Nothing of one plan or city on the ribbon (issue 9): the tab is the survey's, whatever the plan.
    assert len(tabs) == 1 and tabs[0].get("label") == TAB_LABEL == "進捗調査"
    groups = {
        group.get("label"): [(b.get("tag"), b.get("label")) for b in group.findall("ui:button", NS)]
        for group in tabs[0].findall("ui:group", NS)
    }
    assert groups == EXPECTED_GROUPS
    assert [g.get("label") for g in tabs[0].findall("ui:group", NS)] == list(EXPECTED_GROUPS)


def test_tags_are_exactly_the_agreed_set(ribbon: etree._ElementTree) -> None:
    tags = [b.get("tag") for b in buttons(ribbon)]
    assert len(tags) == len(set(tags))
    assert set(tags) == EXPECTED_TAGS
    assert all(re.fullmatch(r"[a-z]+", tag) for tag in tags)


def test_tags_match_the_python_actions(ribbon: etree._ElementTree) -> None:
    # welfare_xl.addin (the Python side of the buttons) is written separately;
    # this fails until its ACTIONS table exists and agrees with the ribbon.
    import welfare_xl.addin

    assert {b.get("tag") for b in buttons(ribbon)} == set(welfare_xl.addin.ACTIONS)


def test_the_imagemso_list_is_documented() -> None:
    origin = (IMAGE_MSO.parent / "ORIGIN.md").read_text(encoding="utf-8")
    assert "[MS-CUSTOMUI]" in origin and "3.2" in origin
    assert VERIFIED_IMAGE_MSO and all(f"| {name} |" in origin for name in VERIFIED_IMAGE_MSO)


def test_every_button_is_complete(ribbon: etree._ElementTree) -> None:
    ids = [element.get("id") for element in ribbon.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    for button in buttons(ribbon):
        assert button.get("size") in {"large", "normal"}
        assert button.get("onAction") == "WelfareXL_OnAction"
        assert button.get("screentip") == button.get("label")
        assert len(button.get("supertip", "")) >= 10
        assert button.get("imageMso") in VERIFIED_IMAGE_MSO


def vba_subs() -> set[str]:
    subs: set[str] = set()
    for path in VBA_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        subs |= set(re.findall(r"^(?:Public\s+)?Sub\s+(\w+)\s*\(", text, re.MULTILINE | re.IGNORECASE))
    return subs


def test_every_callback_is_a_public_sub_in_the_vba_sources(ribbon: etree._ElementTree) -> None:
    callbacks = {
        value
        for element in ribbon.iter()
        for attribute, value in element.attrib.items()
        if attribute == "onAction" or attribute.startswith("get") or attribute == "onLoad"
    }
    assert callbacks == {"WelfareXL_OnAction"}
    assert callbacks <= vba_subs()
