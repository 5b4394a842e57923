using System.Runtime.CompilerServices;
using EmbeddedPython.SourceGeneration.Tests.Support;

namespace EmbeddedPython.SourceGeneration.Tests.Emitting;

/// <summary>
/// The whole generated source of a few modules, compared with the reviewed copy in Snapshots/. After an
/// intended change of the emitter, run the tests with UPDATE_SNAPSHOTS=1 and review the diff.
/// </summary>
public class SnapshotTests
{
    [Fact]
    public void Text_tools() => Verify("text_tools", """
        def count_words(text: str, min_length: int = 1) -> int:
            '''Counts the words of at least min_length characters.

            Words are separated by whitespace; <tags> & such stay words.
            '''
            return sum(1 for w in text.split() if len(w) >= min_length)

        def longest(words: list[str], default: Optional[str] = None) -> Optional[str]: ...
        """, "ITextTools.g.cs", "PythonModules.g.cs");

    [Fact]
    public void Records_handles_streams_and_overloads() => Verify("inventory", """
        from dataclasses import dataclass
        from typing import Iterator, Literal, TypedDict

        @dataclass
        class Item:
            '''A stocked item.'''
            name: str
            unit_price: float
            tags: list[str]

        class Stock(TypedDict):
            item: Item
            count: int

        class Shelf:
            def __init__(self, label: str) -> None: ...
            def put(self, item: Item, count: int = 1) -> Stock: ...
            def items(self) -> Iterator[Item]: ...

        def restock(shelf: Shelf, items: list[Item], mode: Literal["add", "replace"] = "add", *, notes: list[str] = []) -> None: ...

        async def value(stock: list[Stock]) -> tuple[float, int]: ...
        """, "IInventory.g.cs");

    private static void Verify(string module, string python, params string[] hintNames)
    {
        var generated = GeneratorHarness.Run(module, python);
        Assert.Empty(generated.CompileProblems);
        foreach (var hintName in hintNames)
        {
            var path = Path.Combine(SnapshotFolder(), $"{module}.{hintName}.txt");
            var actual = generated.Source(hintName);
            if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
                File.WriteAllText(path, actual);
            Assert.True(File.Exists(path), $"no snapshot {path}; run with UPDATE_SNAPSHOTS=1 to write it");
            Assert.Equal(File.ReadAllText(path), actual);
        }
    }

    private static string SnapshotFolder([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(thisFile)!)!, "Snapshots");
}
