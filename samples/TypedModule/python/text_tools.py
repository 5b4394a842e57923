"""Small text helpers, called from C# through the generated ITextTools."""


def count_words(text: str, min_length: int = 1) -> int:
    """Counts the words of `text` that have at least `min_length` characters."""
    return sum(1 for word in text.split() if len(word) >= min_length)
