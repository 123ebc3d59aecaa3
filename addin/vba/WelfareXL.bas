Attribute VB_Name = "WelfareXL"
' welfare-xl: ribbon callback of the add-in.
'
' Every button of the ribbon tab calls WelfareXL_OnAction. The button's Tag
' (an ASCII action name such as "check") selects the Python action, so the
' ribbon XML, not this module, lists the actions; Python does all the work.
'
' This source is stored in code page 932 and must stay ASCII. User-facing text
' belongs in Python; the two messages VBA itself must show are spelled as
' UTF-16 code units (see UnicodeText) and their Japanese wording is checked by
' the test suite.
Option Explicit

' Longest tag accepted; real tags are short English words.
Private Const MAX_TAG_LENGTH As Long = 32

' "Open a workbook and, if it opened in Protected View, press Enable Editing first."
' (bukku o hiraki, "henshuu o yuukou ni suru" o oshite kara jikkou shite kudasai)
Private Const MSG_NO_WORKBOOK As String = "30D6 30C3 30AF 3092 958B 304D 3001 300C 7DE8 96C6 3092 6709 52B9 306B 3059 308B 300D 3092 62BC 3057 3066 304B 3089 5B9F 884C 3057 3066 304F 3060 3055 3044 3002"
' "This button is not set up correctly." (botan no settei ga tadashiku arimasen)
Private Const MSG_BAD_TAG As String = "30DC 30BF 30F3 306E 8A2D 5B9A 304C 6B63 3057 304F 3042 308A 307E 305B 3093 3002"
Private Const MSG_TITLE As String = "welfare-xl"

' The parameter is declared As Object rather than IRibbonControl so that the
' project needs no reference to a particular Office type library version.
Public Sub WelfareXL_OnAction(control As Object)
    Dim actionTag As String
    actionTag = control.Tag

    ' The tag is pasted into a Python command line: accept letters only, so
    ' that nothing can be injected through it.
    If Not IsSafeTag(actionTag) Then
        MsgBox UnicodeText(MSG_BAD_TAG), vbCritical, MSG_TITLE
        Exit Sub
    End If

    ' RunPython passes the active workbook to Python (xw.Book.caller()); with
    ' only the add-in open there is none, nor while the workbook is still in
    ' Protected View, and xlwings would fail with error 91.
    If ActiveWorkbook Is Nothing Then
        MsgBox UnicodeText(MSG_NO_WORKBOOK), vbExclamation, MSG_TITLE
        Exit Sub
    End If

    RunPython "import welfare_xl.addin; welfare_xl.addin.run('" & actionTag & "')"
End Sub

Private Function IsSafeTag(ByVal tagText As String) As Boolean
    Dim i As Long
    Dim code As Long

    If Len(tagText) = 0 Or Len(tagText) > MAX_TAG_LENGTH Then Exit Function
    For i = 1 To Len(tagText)
        code = AscW(Mid$(tagText, i, 1))
        If Not ((code >= 65 And code <= 90) Or (code >= 97 And code <= 122)) Then Exit Function
    Next i
    IsSafeTag = True
End Function

' Builds a string from space-separated hexadecimal UTF-16 code units, which
' keeps this module ASCII while the message box shows Japanese.
Private Function UnicodeText(ByVal codeUnits As String) As String
    Dim parts() As String
    Dim i As Long
    Dim result As String

    parts = Split(codeUnits, " ")
    For i = LBound(parts) To UBound(parts)
        result = result & ChrW(CLng("&H" & parts(i)))
    Next i
    UnicodeText = result
End Function
