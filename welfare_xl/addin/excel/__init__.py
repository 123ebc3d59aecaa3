"""The live adapter's Excel side: bulk reads and writes through xlwings, COM-only parts, the 設定 sheet."""
