Attribute VB_Name = "WelfareXL"
' welfare-xl: ribbon callback of the add-in.
'
' Every button of the ribbon tab calls WelfareXL_OnAction. The button's Tag
' (an ASCII action name such as "check") selects the Python action, so the
' ribbon XML, not this module, lists the actions; Python does all the work.
'
' Before RunPython, the callback refuses a workbook that could change what the
' click runs (see WorkbookSettingsProblem): xlwings reads its settings from a
' welfare_xl.conf sheet in the active workbook and a welfare_xl.conf file in its
' folder before the user's own file, and runs the code of a worksheet named
' *.py instead of ours. A returned department workbook must not choose the
' program the secretariat's click starts.
'
' This source is stored in code page 932 and must stay ASCII. User-facing text
' belongs in Python; the messages VBA itself must show are spelled as UTF-16
' code units (see UnicodeText), %1 and %2 filled in by FillIn, and their
' Japanese wording is checked by the test suite.
Option Explicit

' Longest tag accepted; real tags are short English words.
Private Const MAX_TAG_LENGTH As Long = 32

' "Open a workbook and, if it opened in Protected View, press Enable Editing first."
' (bukku o hiraki, "henshuu o yuukou ni suru" o oshite kara jikkou shite kudasai)
Private Const MSG_NO_WORKBOOK As String = "30D6 30C3 30AF 3092 958B 304D 3001 300C 7DE8 96C6 3092 6709 52B9 306B 3059 308B 300D 3092 62BC 3057 3066 304B 3089 5B9F 884C 3057 3066 304F 3060 3055 3044 3002"
' "This button is not set up correctly." (botan no settei ga tadashiku arimasen)
Private Const MSG_BAD_TAG As String = "30DC 30BF 30F3 306E 8A2D 5B9A 304C 6B63 3057 304F 3042 308A 307E 305B 3093 3002"
' "Workbook %1 has a sheet %2. It can change the Python that runs, so for safety
' nothing was run. Delete the sheet, save, and run again."
Private Const MSG_CONF_SHEET As String = "30D6 30C3 30AF 300C 0025 0031 300D 306B 300C 0025 0032 300D 30B7 30FC 30C8 304C 3042 308A 307E 3059 3002 3053 306E 30B7 30FC 30C8 306F 5B9F 884C 3059 308B 0020 0050 0079 0074 0068 006F 006E 0020 3092 5909 3048 3089 308C 308B 305F 3081 3001 5B89 5168 306E 305F 3081 5B9F 884C 3092 4E2D 6B62 3057 307E 3057 305F 3002 30B7 30FC 30C8 3092 524A 9664 3057 3066 4FDD 5B58 3057 3066 304B 3089 3001 3082 3046 4E00 5EA6 5B9F 884C 3057 3066 304F 3060 3055 3044 3002"
' "Workbook %1 has a sheet %2 whose name ends in .py. Its program could be run, so
' for safety nothing was run. Delete or rename the sheet, save, and run again."
Private Const MSG_CODE_SHEET As String = "30D6 30C3 30AF 300C 0025 0031 300D 306B 540D 524D 304C 0020 002E 0070 0079 0020 3067 7D42 308F 308B 30B7 30FC 30C8 300C 0025 0032 300D 304C 3042 308A 307E 3059 3002 3053 306E 30B7 30FC 30C8 306E 30D7 30ED 30B0 30E9 30E0 304C 5B9F 884C 3055 308C 308B 304A 305D 308C 304C 3042 308B 305F 3081 3001 5B89 5168 306E 305F 3081 5B9F 884C 3092 4E2D 6B62 3057 307E 3057 305F 3002 30B7 30FC 30C8 3092 524A 9664 3059 308B 304B 540D 524D 3092 5909 3048 3066 4FDD 5B58 3057 3066 304B 3089 3001 3082 3046 4E00 5EA6 5B9F 884C 3057 3066 304F 3060 3055 3044 3002"
' "The folder of workbook %1 has a settings file %2. It can change the Python that
' runs, so for safety nothing was run. Delete the file or save the workbook in
' another folder, and run again."
Private Const MSG_CONF_FILE As String = "30D6 30C3 30AF 300C 0025 0031 300D 306E 30D5 30A9 30EB 30C0 30FC 306B 8A2D 5B9A 30D5 30A1 30A4 30EB 300C 0025 0032 300D 304C 3042 308A 307E 3059 3002 3053 306E 30D5 30A1 30A4 30EB 306F 5B9F 884C 3059 308B 0020 0050 0079 0074 0068 006F 006E 0020 3092 5909 3048 3089 308C 308B 305F 3081 3001 5B89 5168 306E 305F 3081 5B9F 884C 3092 4E2D 6B62 3057 307E 3057 305F 3002 30D5 30A1 30A4 30EB 3092 524A 9664 3059 308B 304B 3001 30D6 30C3 30AF 3092 5225 306E 30D5 30A9 30EB 30C0 30FC 306B 4FDD 5B58 3057 76F4 3057 3066 304B 3089 3001 3082 3046 4E00 5EA6 5B9F 884C 3057 3066 304F 3060 3055 3044 3002"
' "Where workbook %1 is saved (%2) cannot be determined, so for safety nothing was
' run. Save the workbook on the PC or a shared folder, and run again."
Private Const MSG_NO_FOLDER As String = "30D6 30C3 30AF 300C 0025 0031 300D 306E 4FDD 5B58 5834 6240 FF08 0025 0032 FF09 3092 78BA 304B 3081 3089 308C 306A 3044 305F 3081 3001 5B89 5168 306E 305F 3081 5B9F 884C 3092 4E2D 6B62 3057 307E 3057 305F 3002 30D6 30C3 30AF 3092 30D1 30BD 30B3 30F3 304B 5171 6709 30D5 30A9 30EB 30C0 30FC 306B 4FDD 5B58 3057 76F4 3057 3066 304B 3089 3001 3082 3046 4E00 5EA6 5B9F 884C 3057 3066 304F 3060 3055 3044 3002"
Private Const MSG_TITLE As String = "welfare-xl"

' control As Object, not IRibbonControl: Office binds onAction by the name of the
' procedure and passes the control as an automation (IDispatch) object, so the
' declared type only matters to the VBA compiler; control.Tag is read late-bound.
' IRibbonControl would need a reference to the Office type library
' (Microsoft Office xx.0 Object Library) in the project; should it not resolve
' on a PC, the whole project (this module and xlwings') fails to compile and no
' button, not even these messages, works. xlwings' own add-in has that
' reference because Excel adds it to every project it creates. See addin/README.md.
Public Sub WelfareXL_OnAction(control As Object)
    Dim problem As String
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

    ' Settings or code that the workbook brings: refuse before RunPython reads them.
    problem = WorkbookSettingsProblem()
    If Len(problem) > 0 Then
        MsgBox problem, vbCritical, MSG_TITLE
        Exit Sub
    End If

    RunPython "import welfare_xl.addin; welfare_xl.addin.run('" & actionTag & "')"
End Sub

' The message to show when the active workbook brings settings or code that
' xlwings' RunPython would use before the user's own welfare_xl.conf; "" if none.
' The sources are those of GetConfig and RunPython in the xlwings module of this
' project (PROJECT_NAME = "welfare_xl"), in the order xlwings reads them.
Private Function WorkbookSettingsProblem() As String
    Dim sheet As Object
    Dim confName As String
    Dim confFile As String

    confName = PROJECT_NAME & ".conf"
    ' Every kind of sheet (Sheets, not Worksheets), the name in any case: at least
    ' what xlwings finds with ActiveWorkbook.Sheets(confName) and Right$(Name, 3).
    For Each sheet In ActiveWorkbook.Sheets
        If StrComp(sheet.Name, confName, vbTextCompare) = 0 Then
            WorkbookSettingsProblem = FillIn(UnicodeText(MSG_CONF_SHEET), ActiveWorkbook.Name, sheet.Name)
            Exit Function
        End If
        If LCase$(Right$(sheet.Name, 3)) = ".py" Then
            WorkbookSettingsProblem = FillIn(UnicodeText(MSG_CODE_SHEET), ActiveWorkbook.Name, sheet.Name)
            Exit Function
        End If
    Next sheet

    ' The file beside the workbook, found exactly as GetConfig finds it: through
    ' xlwings' own GetFullName (a synced OneDrive/SharePoint URL mapped to its local
    ' folder, "" when it cannot be) and GetDirectoryConfigFilePath. Where those
    ' fail (an unusual URL), GetConfig would fail the same way: refuse in Japanese.
    ' The local path is never built from a URL here, and Path = "" (a new workbook
    ' never saved) is handled by GetFullName as xlwings handles it.
    On Error GoTo LocationUnknown
    If GetFullName(ActiveWorkbook) <> "" Then
        confFile = GetDirectoryConfigFilePath()
        If FileExists(confFile) Then
            WorkbookSettingsProblem = FillIn(UnicodeText(MSG_CONF_FILE), ActiveWorkbook.Name, confFile)
        End If
    End If
    Exit Function

LocationUnknown:
    WorkbookSettingsProblem = FillIn(UnicodeText(MSG_NO_FOLDER), ActiveWorkbook.Name, ActiveWorkbook.FullName)
End Function

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

' Replaces %1, %2, ... in a message by the values given, in one pass, so that a
' value containing "%" (a sheet or file name) is never substituted again.
Private Function FillIn(ByVal template As String, ParamArray values() As Variant) As String
    Dim parts() As String
    Dim i As Long
    Dim result As String

    parts = Split(template, "%")
    result = parts(0)
    For i = 1 To UBound(parts)
        result = result & values(CLng(Left$(parts(i), 1)) - 1) & Mid$(parts(i), 2)
    Next i
    FillIn = result
End Function
