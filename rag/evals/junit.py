"""An eval report as JUnit XML, the format CI systems show as tests: one test case per question
(its failure message the reason it failed), and one per threshold."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path


def write(data: dict, path: Path) -> None:
    root = ET.Element("testsuites", name=f"rag eval {data['dataset']}")
    root.append(_questions(data))
    if data["thresholds"]:
        root.append(_gates(data))
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def _questions(data: dict) -> ET.Element:
    suite = _suite(f"{data['dataset']}.questions", data["questions"], lambda q: q["passed"])
    suite.set("time", f"{data['seconds']:.1f}")
    for item in data["questions"]:
        case = ET.SubElement(suite, "testcase", classname=f"rag.eval.{data['dataset']}", name=f"{item['id']}: {item['question']}")
        case.set("time", f"{item.get('latency_s', item['retrieve_ms'] / 1000):.3f}")
        if item["passed"] is None:
            ET.SubElement(case, "skipped", message=item["reason"])
        elif not item["passed"]:
            ET.SubElement(case, "failure", message=item["reason"], type="wrong answer" if "answer" in item else "retrieval")
    return suite


def _gates(data: dict) -> ET.Element:
    suite = _suite(f"{data['dataset']}.thresholds", data["thresholds"], lambda t: t["ok"] if t.get("applicable", True) else None)
    for item in data["thresholds"]:
        name = f"{item['metric']} {'>=' if item['bound'] == 'min' else '<='} {item['limit']}"
        case = ET.SubElement(suite, "testcase", classname=f"rag.eval.{data['dataset']}.thresholds", name=name)
        if not item.get("applicable", True):
            ET.SubElement(case, "skipped", message="not applicable under --retrieval-only")
        elif not item["ok"]:
            measured = "not measured by any question of the run" if item["value"] is None else f"measured {item['value']}"
            ET.SubElement(case, "failure", message=measured, type="threshold missed")
    return suite


def _suite(name: str, items: list[dict], passed) -> ET.Element:
    verdicts = [passed(item) for item in items]
    return ET.Element(
        "testsuite",
        name=name,
        tests=str(len(items)),
        failures=str(sum(v is False for v in verdicts)),
        skipped=str(sum(v is None for v in verdicts)),
        errors="0",
    )
