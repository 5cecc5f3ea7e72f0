"""The regional catalogue: its feeds' reading (fetching) and its listing."""
