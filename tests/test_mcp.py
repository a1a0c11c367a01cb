"""`rag mcp` end to end: the MCP SDK's own stdio client against the real server, with the embedded
models and no network."""

from __future__ import annotations

import json
import shutil

import anyio
import pytest
from commands import NO_NETWORK, RAG, offline_env
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

pytestmark = pytest.mark.llm


@pytest.fixture
def served(seeds_index_dir, tmp_path):
    """A copy of the seeds index (the test adds to it), served with every connection attempt refused and logged."""
    index = tmp_path / "index"
    shutil.copytree(seeds_index_dir, index)
    env, log = offline_env(tmp_path)
    server = StdioServerParameters(
        command=NO_NETWORK[0], args=[*NO_NETWORK[1:], *RAG, "mcp", "--index-dir", str(index)], env=env, cwd=tmp_path
    )
    yield server
    assert not log.exists() or log.read_text() == "", f"network connections attempted: {log.read_text()}"


def session_with(server: StdioServerParameters, calls):
    """Run `calls(session)` in a session with the server; returns what it returns."""

    async def main():
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return await calls(session)

    return anyio.run(main)


def test_an_agent_lists_the_tools_asks_searches_and_reads_the_status(served, tmp_path):
    progress: list[float] = []

    async def on_progress(done, total, message):
        progress.append(done)

    async def calls(session):
        tools = await session.list_tools()
        asked = await session.call_tool("ask", {"question": "Who does Lee meet in Beijing?"}, progress_callback=on_progress)
        found = await session.call_tool("search", {"query": "Lee's visit to China", "k": 2})
        status = await session.call_tool("status", {})
        return {tool.name for tool in tools.tools}, asked, found, status

    names, asked, found, status = session_with(served, calls)
    assert names == {"ask", "search", "status", "ingest"}
    assert not asked.is_error
    answer = asked.structured_content
    assert answer == json.loads(asked.content[0].text)  # the same object for clients that read text only
    assert all(name in answer["answer"] for name in ("Xi Jinping", "Li Qiang", "Zhao Leji")) and not answer["abstained"]
    assert answer["citations"] and all(c["source"].startswith("seeds/") and c["span"] and c["text"] for c in answer["citations"])
    assert progress, "a long answer reports progress"
    passages = found.structured_content["passages"]
    assert len(passages) == 2 and all(p["source"].startswith("seeds/") and p["score"] > 0 for p in passages)
    assert status.structured_content["documents"] == 2 and status.structured_content["model"].startswith("Qwen")


def test_errors_are_the_command_lines_one_line_and_ingested_files_are_searchable_at_once(served, tmp_path):
    note = tmp_path / "notes" / "garden.md"
    note.parent.mkdir()
    note.write_text("# Garden\n\nThe quince tree by the shed was planted by Ilse Marr in 1994.\n")

    async def calls(session):
        refused = await session.call_tool("search", {"query": "quince", "sources": ["*.pdf"]})
        ingested = await session.call_tool("ingest", {"paths": [str(note.parent), str(tmp_path / "missing")]})
        found = await session.call_tool("search", {"query": "Who planted the quince tree?", "k": 1, "sources": ["notes/*"]})
        status = await session.call_tool("status", {})
        return refused, ingested, found, status

    refused, ingested, found, status = session_with(served, calls)
    assert refused.is_error and "--source '*.pdf' matches none of the 2 indexed document(s)" in refused.content[0].text
    report = ingested.structured_content
    assert report["indexed"] == ["notes/garden.md"]
    assert report["skipped"] == [{"path": str(tmp_path / "missing"), "reason": "no such file or directory"}]
    assert "Ilse Marr" in found.structured_content["passages"][0]["text"]
    assert status.structured_content["documents"] == 3 and "notes/garden.md" in status.structured_content["sources"]
