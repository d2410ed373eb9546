<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>FitsImage</name>
    <message>
        <location filename="../views/preview/FitsImage.cpp" line="+47"/>
        <source>The FITS file is truncated or corrupt (HDU %1, %2): %3</source>
        <translation>El archivo FITS está truncado o dañado (HDU %1, %2): %3</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>The file is empty.</source>
        <translation>El archivo está vacío.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not a FITS file: it does not start with a SIMPLE card.</source>
        <translation>No es un archivo FITS: no empieza con una tarjeta SIMPLE.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The FITS file is truncated: %1 bytes, less than one 2880-byte header block.</source>
        <translation>El archivo FITS está truncado: %1 bytes, menos que un bloque de cabecera de 2880 bytes.</translation>
    </message>
    <message>
        <location line="+22"/>
        <location line="+11"/>
        <location line="+6"/>
        <source>header</source>
        <translation>cabecera</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>card %1</source>
        <translation>tarjeta %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>layout</source>
        <translation>estructura</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>data size</source>
        <translation>tamaño de los datos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The FITS file is corrupt: HDU %1 declares an impossible data size.</source>
        <translation>El archivo FITS está dañado: la HDU %1 declara un tamaño de datos imposible.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The FITS file is truncated: HDU %1 needs %2 bytes but the file has %3.</source>
        <translation>El archivo FITS está truncado: la HDU %1 necesita %2 bytes, pero el archivo tiene %3.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>image dimensions</source>
        <translation>dimensiones de la imagen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>image size</source>
        <translation>tamaño de la imagen</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The FITS image in HDU %1 is %2 x %3 pixels, too large to preview.</source>
        <translation>La imagen FITS de la HDU %1 mide %2 x %3 píxeles, demasiado grande para la vista previa.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>image type</source>
        <translation>tipo de imagen</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>pixels</source>
        <translation>píxeles</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The FITS file is truncated or corrupt: %1 bytes after HDU %2 are not a complete HDU.</source>
        <translation>El archivo FITS está truncado o dañado: los %1 bytes que siguen a la HDU %2 no forman una HDU completa.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source># HDU 0 (primary)</source>
        <translation># HDU 0 (primaria)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source># HDU %1</source>
        <translation># HDU %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> - image shown</source>
        <translation> - imagen mostrada</translation>
    </message>
    <message>
        <location line="+7"/>
        <source># (more header cards not shown)
</source>
        <translation># (hay más tarjetas de cabecera que no se muestran)
</translation>
    </message>
</context>
<context>
    <name>ImageStretch</name>
    <message>
        <location filename="../views/preview/ImageStretch.cpp" line="+20"/>
        <source>zscale</source>
        <translation>zscale</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>asinh</source>
        <translation>asinh</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>min-max</source>
        <translation>mín-máx</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <location filename="../views/curation/CurationController.cpp" line="+20"/>
        <source>1 dataset</source>
        <translation>1 conjunto de datos</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 datasets</source>
        <translation>%1 conjuntos de datos</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>&apos;%1&apos; is not a CHAINED collection</source>
        <translation>&apos;%1&apos; no es una colección CHAINED</translation>
    </message>
</context>
<context>
    <name>butler::AppLanguage</name>
    <message>
        <location filename="../views/AppLanguage.cpp" line="+42"/>
        <source>System default</source>
        <translation>Predeterminado del sistema</translation>
    </message>
</context>
<context>
    <name>butler::CertifyDialog</name>
    <message>
        <location filename="../views/curation/CertifyDialog.cpp" line="+88"/>
        <source>Certify datasets</source>
        <translation>Certificar conjuntos de datos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calibration collection</source>
        <translation>Colección de calibración</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Validity begin</source>
        <translation>Inicio de la validez</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Validity end</source>
        <translation>Fin de la validez</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>from the beginning of time</source>
        <translation>desde el principio de los tiempos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>until further notice</source>
        <translation>hasta nuevo aviso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Certify</source>
        <translation>Certificar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Collection:</source>
        <translation>&amp;Colección:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Valid &amp;from:</source>
        <translation>Válido &amp;desde:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Valid &amp;until:</source>
        <translation>Válido &amp;hasta:</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Choose a CALIBRATION collection.</source>
        <translation>Elija una colección CALIBRATION.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The validity range must end after it begins.</source>
        <translation>El intervalo de validez debe terminar después de su inicio.</translation>
    </message>
</context>
<context>
    <name>butler::CollectionTreeModel</name>
    <message>
        <location filename="../model/items/CollectionTreeModel.cpp" line="+241"/>
        <source>Collections under %1</source>
        <translation>Colecciones bajo %1</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Collection</source>
        <translation>Colección</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Datasets</source>
        <translation>Conjuntos de datos</translation>
    </message>
    <message>
        <location line="+338"/>
        <source>&apos;%1&apos; is one of its own enclosing chains; not expanded again</source>
        <translation>&apos;%1&apos; es una de sus propias cadenas contenedoras; no se vuelve a desplegar</translation>
    </message>
</context>
<context>
    <name>butler::CurationController</name>
    <message>
        <location filename="../views/curation/CurationController.cpp" line="+78"/>
        <source>Cancelled: %1. The server may have done it before it stopped; the collections show what it holds now.</source>
        <translation>Cancelado: %1. Puede que el servidor lo hiciera antes de detenerse; las colecciones muestran lo que contiene ahora.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Could not %1 &quot;%2&quot;: %3</source>
        <translation>No se pudo %1 «%2»: %3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>undo</source>
        <translation>deshacer</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>redo</source>
        <translation>rehacer</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>create %1</source>
        <translation>crear %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Create collection %1</source>
        <translation>Crear la colección %1</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+50"/>
        <location line="+56"/>
        <location line="+29"/>
        <source>Redo: %1</source>
        <translation>Rehacer: %1</translation>
    </message>
    <message>
        <location line="-133"/>
        <location line="+49"/>
        <location line="+56"/>
        <location line="+32"/>
        <source>Undo: %1</source>
        <translation>Deshacer: %1</translation>
    </message>
    <message>
        <location line="-114"/>
        <location line="+17"/>
        <source>tag %1 into %2</source>
        <translation>etiquetar %1 en %2</translation>
    </message>
    <message>
        <location line="-16"/>
        <location line="+17"/>
        <source>remove %1 from %2</source>
        <translation>quitar %1 de %2</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Tag %1 into %2</source>
        <translation>Etiquetar %1 en %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove %1 from %2</source>
        <translation>Quitar %1 de %2</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>change chain %1</source>
        <translation>cambiar la cadena %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change chain %1</source>
        <translation>Cambiar la cadena %1</translation>
    </message>
    <message>
        <location line="+33"/>
        <location line="+12"/>
        <source>certify %1 in %2</source>
        <translation>certificar %1 en %2</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>Certify %1 in %2</source>
        <translation>Certificar %1 en %2</translation>
    </message>
</context>
<context>
    <name>butler::DatasetDetailsPanel</name>
    <message>
        <location filename="../views/DatasetDetailsPanel.cpp" line="+160"/>
        <source>Dataset details</source>
        <translation>Detalles del conjunto de datos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy signed &amp;URL</source>
        <translation>Copiar &amp;URL firmada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy signed URL</source>
        <translation>Copiar URL firmada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Download…</source>
        <translation>&amp;Descargar…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Download file</source>
        <translation>Descargar archivo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel download</source>
        <translation>Cancelar la descarga</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Download progress</source>
        <translation>Progreso de la descarga</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Download status</source>
        <translation>Estado de la descarga</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>Signed URL copied; it expires %1.</source>
        <translation>URL firmada copiada; caduca el %1.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Save dataset file</source>
        <translation>Guardar el archivo del conjunto de datos</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>closed</source>
        <translation>cerrado</translation>
    </message>
    <message>
        <location line="+88"/>
        <source>This dataset has no file.</source>
        <translation>Este conjunto de datos no tiene archivo.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The file is too large to preview (%1).</source>
        <translation>El archivo es demasiado grande para la vista previa (%1).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Preview of %1 %2</source>
        <translation>Vista previa de %1 %2</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Preview failed: %1</source>
        <translation>Falló la vista previa: %1</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>&lt;p&gt;&lt;i&gt;Select a dataset to see its details.&lt;/i&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;i&gt;Seleccione un conjunto de datos para ver sus detalles.&lt;/i&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Dataset type</source>
        <translation>Tipo de conjunto de datos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Storage class</source>
        <translation>Clase de almacenamiento</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run</source>
        <translation>Run</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>UUID</source>
        <translation>UUID</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+8"/>
        <location line="+2"/>
        <source>File</source>
        <translation>Archivo</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Size</source>
        <translation>Tamaño</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Formatter</source>
        <translation>Formateador</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checksum</source>
        <translation>Suma de verificación</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>URL expires</source>
        <translation>Caducidad de la URL</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+4"/>
        <source>&lt;i&gt;loading…&lt;/i&gt;</source>
        <translation>&lt;i&gt;cargando…&lt;/i&gt;</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Dimension records</source>
        <translation>Registros de dimensión</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&lt;i&gt;none&lt;/i&gt;</source>
        <translation>&lt;i&gt;ninguno&lt;/i&gt;</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+1"/>
        <source>unbounded</source>
        <translation>sin límite</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>timespan</source>
        <translation>intervalo de tiempo</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 to %2</source>
        <translation>de %1 a %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>region</source>
        <translation>región</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>yes</source>
        <translation>sí</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Cannot write %1: %2</source>
        <translation>No se puede escribir %1: %2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Downloading %1…</source>
        <translation>Descargando %1…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cannot write the file: %1</source>
        <translation>No se puede escribir el archivo: %1</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Download %1</source>
        <translation>Descargar %1</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Download cancelled.</source>
        <translation>Descarga cancelada.</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+2"/>
        <source>cancelled</source>
        <translation>cancelada</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Download failed: %1</source>
        <translation>Falló la descarga: %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The download does not match the recorded file (size %1 of %2, %3): nothing was saved.</source>
        <translation>La descarga no coincide con el archivo registrado (tamaño %1 de %2, %3): no se guardó nada.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot save the file: %1</source>
        <translation>No se puede guardar el archivo: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Saved %1 (checksum verified).</source>
        <translation>%1 guardado (suma de verificación comprobada).</translation>
    </message>
</context>
<context>
    <name>butler::DatasetFilterBar</name>
    <message>
        <location filename="../views/DatasetFilterBar.cpp" line="+50"/>
        <source>all dataset types (globs, e.g. raw calexp*)</source>
        <translation>todos los tipos de conjunto de datos (patrones glob, p. ej. raw calexp*)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dataset types</source>
        <translation>Tipos de conjunto de datos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dataset type names or globs (*, ?, [...]), separated by spaces or commas</source>
        <translation>Nombres de tipos de conjunto de datos o patrones glob (*, ?, [...]), separados por espacios o comas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>where, e.g. instrument = &apos;LSSTCam&apos; AND exposure.exposure_time &gt; 20</source>
        <translation>where, p. ej. instrument = &apos;LSSTCam&apos; AND exposure.exposure_time &gt; 20</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Where expression</source>
        <translation>Expresión where</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Apply</source>
        <translation>A&amp;plicar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Apply filter</source>
        <translation>Aplicar el filtro</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Where expression error</source>
        <translation>Error en la expresión where</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Types:</source>
        <translation>&amp;Tipos:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Where:</source>
        <translation>Condición &amp;where:</translation>
    </message>
</context>
<context>
    <name>butler::DatasetTableModel</name>
    <message>
        <location filename="../model/items/DatasetTableModel.cpp" line="+182"/>
        <source>%1 (storage class %2)</source>
        <translation>%1 (clase de almacenamiento %2)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 bytes</source>
        <translation>%1 bytes</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Dataset type</source>
        <translation>Tipo de conjunto de datos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run</source>
        <translation>Run</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>UUID</source>
        <translation>UUID</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Size</source>
        <translation>Tamaño</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ingest date (UTC)</source>
        <translation>Fecha de ingesta (UTC)</translation>
    </message>
</context>
<context>
    <name>butler::DimensionRecordBrowser</name>
    <message>
        <location filename="../views/DimensionRecordBrowser.cpp" line="+57"/>
        <source>Dimension element</source>
        <translation>Elemento de dimensión</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>where, e.g. exposure.exposure_time &gt; 20</source>
        <translation>where, p. ej. exposure.exposure_time &gt; 20</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dimension record filter</source>
        <translation>Filtro de registros de dimensión</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Element:</source>
        <translation>E&amp;lemento:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dimension records</source>
        <translation>Registros de dimensión</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>Load %1 records</source>
        <translation>Cargar los registros de %1</translation>
    </message>
</context>
<context>
    <name>butler::DimensionRecordModel</name>
    <message>
        <location filename="../model/items/DimensionRecordModel.cpp" line="+207"/>
        <source>unknown dimension element &apos;%1&apos;</source>
        <translation>elemento de dimensión desconocido &apos;%1&apos;</translation>
    </message>
</context>
<context>
    <name>butler::FitsPreviewWidget</name>
    <message>
        <location filename="../views/preview/FitsPreviewWidget.cpp" line="+112"/>
        <source>FITS preview</source>
        <translation>Vista previa FITS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FITS decoding error</source>
        <translation>Error al decodificar el FITS</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stretch</source>
        <translation>Escala</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How pixel values map to grey levels</source>
        <translation>Cómo se convierten los valores de los píxeles en niveles de gris</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Stretch:</source>
        <translation>E&amp;scala:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Fit</source>
        <translation>Ajustar</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Fit the image to the window</source>
        <translation>Ajustar la imagen a la ventana</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>+</source>
        <translation>+</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Zoom in</source>
        <translation>Acercar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>-</source>
        <translation>-</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Zoom out</source>
        <translation>Alejar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1:1</source>
        <translation>1:1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>One screen pixel per image pixel</source>
        <translation>Un píxel de pantalla por píxel de imagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image information</source>
        <translation>Información de la imagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image view</source>
        <translation>Vista de la imagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FITS header</source>
        <translation>Cabecera FITS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FITS preview pages</source>
        <translation>Páginas de la vista previa FITS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Image</source>
        <translation>&amp;Imagen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Header</source>
        <translation>Ca&amp;becera</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+28"/>
        <source>This FITS file holds no 2-D image; its header is in the Header tab.</source>
        <translation>Este archivo FITS no contiene ninguna imagen 2D; su cabecera está en la pestaña Cabecera.</translation>
    </message>
    <message>
        <location line="-29"/>
        <location line="+40"/>
        <source>No image</source>
        <translation>Sin imagen</translation>
    </message>
    <message>
        <location line="-72"/>
        <location line="+118"/>
        <source>Cannot show this FITS file: %1</source>
        <translation>No se puede mostrar este archivo FITS: %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 x %2, HDU %3, %4%</source>
        <translation>%1 x %2, HDU %3, %4 %</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>x %1, y %2: %3</source>
        <translation>x %1, y %2: %3</translation>
    </message>
</context>
<context>
    <name>butler::ImageCanvas</name>
    <message>
        <location filename="../views/preview/ImageCanvas.cpp" line="+24"/>
        <location line="+7"/>
        <source>Image</source>
        <translation>Imagen</translation>
    </message>
</context>
<context>
    <name>butler::LoginDialog</name>
    <message>
        <location filename="../views/auth/LoginDialog.cpp" line="+118"/>
        <source>Open a Server</source>
        <translation>Abrir un servidor</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a server</source>
        <translation>Abrir un servidor</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Server URL</source>
        <translation>URL del servidor</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>https://butler.example.org</source>
        <translation>https://butler.example.org</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+5"/>
        <location line="+1"/>
        <source>Sign in with the identity provider</source>
        <translation>Iniciar sesión con el proveedor de identidad</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Identity provider URL</source>
        <translation>URL del proveedor de identidad</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>https://login.example.org/realms/astro</source>
        <translation>https://login.example.org/realms/astro</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Client ID</source>
        <translation>ID de cliente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scopes</source>
        <translation>Ámbitos</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Opens the identity provider&apos;s sign-in page in your web browser</source>
        <translation>Abre la página de inicio de sesión del proveedor de identidad en su navegador web</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Identity provider:</source>
        <translation>Proveedor de &amp;identidad:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;lient ID:</source>
        <translation>ID de c&amp;liente:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;copes:</source>
        <translation>Á&amp;mbitos:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Or paste an access token</source>
        <translation>O pegue un token de acceso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Access token</source>
        <translation>Token de acceso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Paste a token</source>
        <translation>Pegue un token</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Token:</source>
        <translation>&amp;Token:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open</source>
        <translation>&amp;Abrir</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location line="-23"/>
        <source>&amp;Server:</source>
        <translation>&amp;Servidor:</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>Continue in your web browser. Waiting for the identity provider…</source>
        <translation>Continúe en su navegador web. Esperando al proveedor de identidad…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No web browser could be opened. Open this address in one to sign in:</source>
        <translation>No se pudo abrir ningún navegador web. Abra esta dirección en uno para iniciar sesión:</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Repository:</source>
        <translation>&amp;Repositorio:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repository URL</source>
        <translation>URL del repositorio</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>https://butler.example.org/api/butler/repo/main</source>
        <translation>https://butler.example.org/api/butler/repo/main</translation>
    </message>
    <message>
        <location line="+103"/>
        <source>Enter the server&apos;s address first, such as https://butler.example.org.</source>
        <translation>Introduzca primero la dirección del servidor, por ejemplo https://butler.example.org.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Enter the identity provider&apos;s address and the client ID; the server&apos;s administrator knows them.</source>
        <translation>Introduzca la dirección del proveedor de identidad y el ID de cliente; el administrador del servidor los conoce.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Contacting the identity provider…</source>
        <translation>Contactando con el proveedor de identidad…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Signing in failed: %1</source>
        <translation>Falló el inicio de sesión: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Signed in. The token is valid until %1.</source>
        <translation>Sesión iniciada. El token es válido hasta el %1.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Signed in.</source>
        <translation>Sesión iniciada.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Enter the server&apos;s address, such as https://butler.example.org.</source>
        <translation>Introduzca la dirección del servidor, por ejemplo https://butler.example.org.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Enter the repository&apos;s address, such as https://butler.example.org/api/butler/repo/main.</source>
        <translation>Introduzca la dirección del repositorio, como https://butler.example.org/api/butler/repo/main.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Sign in with the identity provider or paste an access token first.</source>
        <translation>Primero inicie sesión con el proveedor de identidad o pegue un token de acceso.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Saving the token…</source>
        <translation>Guardando el token…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The token could not be saved: %1</source>
        <translation>No se pudo guardar el token: %1</translation>
    </message>
</context>
<context>
    <name>butler::MainWindow</name>
    <message>
        <location filename="../views/MainWindow.cpp" line="+308"/>
        <source>Datasets</source>
        <translation>Conjuntos de datos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Messages</source>
        <translation>Mensajes</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+6"/>
        <source>Collections</source>
        <translation>Colecciones</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Collection grouping</source>
        <translation>Agrupación de colecciones</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All collections</source>
        <translation>Todas las colecciones</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>By namespace</source>
        <translation>Por espacio de nombres</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New…</source>
        <translation>&amp;Nueva…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New collection</source>
        <translation>Nueva colección</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Details</source>
        <translation>Detalles</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dimension records</source>
        <translation>Registros de dimensión</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+399"/>
        <source>Operations</source>
        <translation>Operaciones</translation>
    </message>
    <message>
        <location line="-397"/>
        <source>Signed-in user</source>
        <translation>Usuario conectado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Work in progress</source>
        <translation>Trabajo en curso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show background operations</source>
        <translation>Mostrar las operaciones en segundo plano</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the background operations</source>
        <translation>Muestra las operaciones en segundo plano</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open &amp;local repository…</source>
        <translation>Abrir repositorio &amp;local…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connect to &amp;server…</source>
        <translation>&amp;Conectar a un servidor…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Recent repositories</source>
        <translation>&amp;Repositorios recientes</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Edit</source>
        <translation>&amp;Editar</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>&amp;Undo</source>
        <translation>&amp;Deshacer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Redo</source>
        <translation>&amp;Rehacer</translation>
    </message>
    <message>
        <location line="-59"/>
        <source>&amp;Add selected to tagged collection…</source>
        <translation>&amp;Añadir la selección a una colección etiquetada…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re&amp;move selected from collection</source>
        <translation>&amp;Quitar la selección de la colección</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Certify…</source>
        <translation>&amp;Certificar…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Preferences…</source>
        <translation>&amp;Preferencias…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Collection</source>
        <translation>&amp;Colección</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New collection…</source>
        <translation>&amp;Nueva colección…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualizar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+5"/>
        <source>&amp;Collections</source>
        <translation>&amp;Colecciones</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>&amp;Details</source>
        <translation>&amp;Detalles</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+6"/>
        <source>Dimension &amp;records</source>
        <translation>&amp;Registros de dimensión</translation>
    </message>
    <message>
        <location line="-5"/>
        <location line="+6"/>
        <source>&amp;Operations</source>
        <translation>&amp;Operaciones</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>&amp;Go</source>
        <translation>&amp;Ir</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Datasets</source>
        <translation>Conjuntos de &amp;datos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>D&amp;etails</source>
        <translation>D&amp;etalles</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Where filter</source>
        <translation>&amp;Filtro where</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Next pane</source>
        <translation>Panel &amp;siguiente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Previous pane</source>
        <translation>Panel &amp;anterior</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>&amp;Undo %1</source>
        <translation>&amp;Deshacer %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Redo %1</source>
        <translation>&amp;Rehacer %1</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>No recent repositories</source>
        <translation>No hay repositorios recientes</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Clear the list</source>
        <translation>&amp;Vaciar la lista</translation>
    </message>
    <message>
        <location line="+24"/>
        <location line="+1"/>
        <source>Opening %1…</source>
        <translation>Abriendo %1…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot open %1: %2</source>
        <translation>No se puede abrir %1: %2</translation>
    </message>
    <message>
        <location line="+11"/>
        <location line="+1"/>
        <source>Connecting to %1…</source>
        <translation>Conectando con %1…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot connect to %1: %2</source>
        <translation>No se puede conectar con %1: %2</translation>
    </message>
    <message>
        <location line="+134"/>
        <source>Loading the datasets was cancelled.</source>
        <translation>Se canceló la carga de los conjuntos de datos.</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Load datasets of %1</source>
        <translation>Cargar los conjuntos de datos de %1</translation>
    </message>
    <message numerus="yes">
        <location line="+14"/>
        <source>%n dataset(s) shown</source>
        <translation>
            <numerusform>%n conjunto de datos mostrado</numerusform>
            <numerusform>%n conjuntos de datos mostrados</numerusform>
        </translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Count datasets in %1</source>
        <translation>Contar los conjuntos de datos de %1</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Count datasets in %n collection(s)</source>
        <translation>
            <numerusform>Contar los conjuntos de datos de %n colección</numerusform>
            <numerusform>Contar los conjuntos de datos de %n colecciones</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n operation(s) running</source>
        <translation>
            <numerusform>%n operación en curso</numerusform>
            <numerusform>%n operaciones en curso</numerusform>
        </translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signed in as %1</source>
        <translation>Sesión iniciada como %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No groups</source>
        <translation>Sin grupos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Groups: %1</source>
        <translation>Grupos: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Administrator</source>
        <translation>Administrador</translation>
    </message>
    <message>
        <location line="-331"/>
        <source>This server keeps no storage quota.</source>
        <translation>Este servidor no tiene cuota de almacenamiento.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The storage quota is unknown: %1</source>
        <translation>Se desconoce la cuota de almacenamiento: %1</translation>
    </message>
    <message>
        <location line="+365"/>
        <source>%1 — Butler</source>
        <translation>%1 — Butler</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Butler</source>
        <translation>Butler</translation>
    </message>
    <message>
        <location line="+85"/>
        <source>Datasets can be removed from TAGGED collections only; &apos;%1&apos; is not one.</source>
        <translation>Solo se pueden quitar conjuntos de datos de colecciones TAGGED; &apos;%1&apos; no lo es.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Select the datasets to tag first.</source>
        <translation>Seleccione primero los conjuntos de datos que desea etiquetar.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Select the datasets to certify first.</source>
        <translation>Seleccione primero los conjuntos de datos que desea certificar.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Open local repository</source>
        <translation>Abrir repositorio local</translation>
    </message>
</context>
<context>
    <name>butler::NewCollectionDialog</name>
    <message>
        <location filename="../views/curation/NewCollectionDialog.cpp" line="+50"/>
        <source>New collection</source>
        <translation>Nueva colección</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Collection name</source>
        <translation>Nombre de la colección</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Collection type</source>
        <translation>Tipo de colección</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>TAGGED — a hand-picked set of datasets</source>
        <translation>TAGGED — una selección manual de conjuntos de datos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CHAINED — a search path of other collections</source>
        <translation>CHAINED — una ruta de búsqueda formada por otras colecciones</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RUN — where new datasets are written</source>
        <translation>RUN — donde se escriben los nuevos conjuntos de datos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CALIBRATION — datasets with validity ranges</source>
        <translation>CALIBRATION — conjuntos de datos con intervalos de validez</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Collection documentation</source>
        <translation>Documentación de la colección</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Create</source>
        <translation>Crear</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Type:</source>
        <translation>&amp;Tipo:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Documentation:</source>
        <translation>&amp;Documentación:</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Give the collection a name.</source>
        <translation>Dé un nombre a la colección.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Names cannot contain spaces or glob characters.</source>
        <translation>Los nombres no pueden contener espacios ni caracteres glob.</translation>
    </message>
</context>
<context>
    <name>butler::OidcLogin</name>
    <message>
        <location filename="../views/auth/OidcLogin.cpp" line="+58"/>
        <source>the identity provider did not answer the token request: %1</source>
        <translation>el proveedor de identidad no respondió a la solicitud de token: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>the identity provider answered the token request with HTTP status %1</source>
        <translation>el proveedor de identidad respondió a la solicitud de token con el estado HTTP %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the identity provider did not issue a token: %1</source>
        <translation>el proveedor de identidad no emitió ningún token: %1</translation>
    </message>
    <message>
        <location line="+46"/>
        <location line="+258"/>
        <source>the sign-in was cancelled</source>
        <translation>se canceló el inicio de sesión</translation>
    </message>
    <message>
        <location line="-253"/>
        <source>the identity provider %1 did not answer: %2</source>
        <translation>el proveedor de identidad %1 no respondió: %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the identity provider %1 answered HTTP status %2 for %3; check the issuer address</source>
        <translation>el proveedor de identidad %1 respondió con el estado HTTP %2 para %3; compruebe la dirección del emisor</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 is not an OpenID Connect configuration</source>
        <translation>%1 no es una configuración de OpenID Connect</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the identity provider at %1 calls itself &apos;%2&apos;; use that issuer address</source>
        <translation>el proveedor de identidad en %1 se identifica como &apos;%2&apos;; use esa dirección de emisor</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>the identity provider %1 names no authorization or token endpoint</source>
        <translation>el proveedor de identidad %1 no indica ningún endpoint de autorización ni de token</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the identity provider %1 does not support PKCE with S256</source>
        <translation>el proveedor de identidad %1 no admite PKCE con S256</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>a sign-in is already in progress</source>
        <translation>ya hay un inicio de sesión en curso</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&apos;%1&apos; is not an identity provider address; use http(s)://HOST[/PATH]</source>
        <translation>&apos;%1&apos; no es una dirección de proveedor de identidad; use http(s)://HOST[/PATH]</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the client ID is empty; ask the server&apos;s administrator for it</source>
        <translation>el ID de cliente está vacío; pídaselo al administrador del servidor</translation>
    </message>
    <message numerus="yes">
        <location line="+13"/>
        <source>the sign-in timed out: no answer within %n second(s)</source>
        <translation>
            <numerusform>se agotó el tiempo de inicio de sesión: sin respuesta en %n segundo</numerusform>
            <numerusform>se agotó el tiempo de inicio de sesión: sin respuesta en %n segundos</numerusform>
        </translation>
    </message>
    <message>
        <location line="+26"/>
        <source>cannot listen on 127.0.0.1 for the identity provider&apos;s answer</source>
        <translation>no se puede escuchar en 127.0.0.1 la respuesta del proveedor de identidad</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Butler has the identity provider&apos;s answer. You can close this page and go back to Butler.</source>
        <translation>Butler ha recibido la respuesta del proveedor de identidad. Puede cerrar esta página y volver a Butler.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the identity provider&apos;s token answer holds no usable access token</source>
        <translation>la respuesta de token del proveedor de identidad no contiene ningún token de acceso utilizable</translation>
    </message>
    <message>
        <location line="+43"/>
        <location line="+38"/>
        <source>the identity provider refused the sign-in: %1</source>
        <translation>el proveedor de identidad rechazó el inicio de sesión: %1</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>the sign-in failed (network authorization error %1)</source>
        <translation>falló el inicio de sesión (error de autorización de red %1)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>the answer that reached Butler does not belong to this sign-in (state mismatch); sign in again</source>
        <translation>la respuesta que llegó a Butler no corresponde a este inicio de sesión (el state no coincide); vuelva a iniciar sesión</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>the answer came from %1, not from the identity provider %2; sign in again</source>
        <translation>la respuesta procede de %1, no del proveedor de identidad %2; vuelva a iniciar sesión</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>the sign-in was denied: %1</source>
        <translation>se denegó el inicio de sesión: %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>the identity provider sent no authorization code</source>
        <translation>el proveedor de identidad no envió ningún código de autorización</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>the identity provider issued no access token</source>
        <translation>el proveedor de identidad no emitió ningún token de acceso</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the identity provider issued a &apos;%1&apos; token; Butler needs a bearer token</source>
        <translation>el proveedor de identidad emitió un token &apos;%1&apos;; Butler necesita un token bearer</translation>
    </message>
</context>
<context>
    <name>butler::OperationsModel</name>
    <message>
        <location filename="../views/OperationsModel.cpp" line="+204"/>
        <source>Running</source>
        <translation>En curso</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancelling…</source>
        <translation>Cancelando…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Done</source>
        <translation>Terminada</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Failed</source>
        <translation>Fallida</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancelled</source>
        <translation>Cancelada</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1, started %2</source>
        <translation>%1, iniciada el %2</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Operation</source>
        <translation>Operación</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Progress</source>
        <translation>Progreso</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>State</source>
        <translation>Estado</translation>
    </message>
</context>
<context>
    <name>butler::OperationsPanel</name>
    <message>
        <location filename="../views/OperationsPanel.cpp" line="+109"/>
        <source>Background operations</source>
        <translation>Operaciones en segundo plano</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Operations</source>
        <translation>Operaciones</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Cancel operation</source>
        <translation>&amp;Cancelar la operación</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel the selected operation</source>
        <translation>Cancelar la operación seleccionada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel a&amp;ll</source>
        <translation>Cancelar &amp;todas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel all operations</source>
        <translation>Cancelar todas las operaciones</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear &amp;finished</source>
        <translation>&amp;Quitar las terminadas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear finished operations</source>
        <translation>Quitar las operaciones terminadas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel operation</source>
        <translation>Cancelar la operación</translation>
    </message>
</context>
<context>
    <name>butler::PreviewPanel</name>
    <message>
        <location filename="../views/preview/PreviewPanel.cpp" line="+47"/>
        <source>Preview</source>
        <translation>Vista previa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Select a dataset to preview it.</source>
        <translation>Seleccione un conjunto de datos para previsualizarlo.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No preview</source>
        <translation>Sin vista previa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No preview available</source>
        <translation>No hay vista previa disponible</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No preview for this file.</source>
        <translation>No hay vista previa para este archivo.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No preview for %1 files.</source>
        <translation>No hay vista previa para archivos %1.</translation>
    </message>
</context>
<context>
    <name>butler::QuotaBar</name>
    <message>
        <location filename="../views/QuotaBar.cpp" line="+24"/>
        <location line="+33"/>
        <source>Storage quota</source>
        <translation>Cuota de almacenamiento</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>%1 of %2 used</source>
        <translation>%1 de %2 usados</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Storage quota of %1
Used: %2
Reserved by uploads in progress: %3
Limit: %4%5
Available: %6</source>
        <translation>Cuota de almacenamiento de %1
Usado: %2
Reservado por subidas en curso: %3
Límite: %4%5
Disponible: %6</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> (the server&apos;s default)</source>
        <translation> (el predeterminado del servidor)</translation>
    </message>
</context>
<context>
    <name>butler::SettingsDialog</name>
    <message>
        <location filename="../views/SettingsDialog.cpp" line="+57"/>
        <location line="+1"/>
        <source>Preferences</source>
        <translation>Preferencias</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Language note</source>
        <translation>Nota sobre el idioma</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Share sign-ins with the butler command line</source>
        <translation>&amp;Compartir los inicios de sesión con la línea de órdenes butler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share sign-ins with the butler command line</source>
        <translation>Compartir los inicios de sesión con la línea de órdenes butler</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Also keeps the access tokens in %1, where &apos;butler login&apos; keeps them, so that signing in here or there works in both</source>
        <translation>Guarda también los tokens de acceso en %1, donde los guarda &apos;butler login&apos;, para que iniciar sesión aquí o allí sirva en ambos</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Butler switches to the new language when you confirm.</source>
        <translation>Butler cambiará al nuevo idioma cuando lo confirme.</translation>
    </message>
    <message>
        <location line="-32"/>
        <source>&amp;Language:</source>
        <translation>&amp;Idioma:</translation>
    </message>
</context>
<context>
    <name>butler::SkyPlotWidget</name>
    <message>
        <location filename="../views/preview/SkyPlotWidget.cpp" line="+115"/>
        <location line="+10"/>
        <source>Sky plot</source>
        <translation>Mapa del cielo</translation>
    </message>
    <message>
        <location line="-9"/>
        <location line="+10"/>
        <source>Pointings in right ascension and declination</source>
        <translation>Apuntados en ascensión recta y declinación</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>exposure</source>
        <translation>exposición</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>visit</source>
        <translation>visita</translation>
    </message>
    <message>
        <location line="+176"/>
        <source>%1
RA %2°, Dec %3°</source>
        <translation>%1
AR %2°, Dec %3°</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>No pointings to show</source>
        <translation>No hay apuntados que mostrar</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>RA (deg, increasing to the left)</source>
        <translation>AR (grados, creciente hacia la izquierda)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Dec (deg)</source>
        <translation>Dec (grados)</translation>
    </message>
</context>
<context>
    <name>butler::TagDialog</name>
    <message>
        <location filename="../views/curation/TagDialog.cpp" line="+78"/>
        <location line="+1"/>
        <source>Add to a tagged collection</source>
        <translation>Añadir a una colección etiquetada</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Add %n selected dataset(s) to:</source>
        <translation>
            <numerusform>Añadir %n conjunto de datos seleccionado a:</numerusform>
            <numerusform>Añadir %n conjuntos de datos seleccionados a:</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tagged collection</source>
        <translation>Colección etiquetada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hint</source>
        <translation>Indicación</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Add</source>
        <translation>&amp;Añadir</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add to collection</source>
        <translation>Añadir a la colección</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Collection:</source>
        <translation>&amp;Colección:</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Choose or type the name of a TAGGED collection.</source>
        <translation>Elija o escriba el nombre de una colección TAGGED.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&apos;%1&apos; is not a TAGGED collection you may write; the server will say if it can take the datasets.</source>
        <translation>&apos;%1&apos; no es una colección TAGGED en la que pueda escribir; el servidor dirá si puede recibir los conjuntos de datos.</translation>
    </message>
</context>
<context>
    <name>butler::TextPreviewWidget</name>
    <message>
        <location filename="../views/preview/TextPreviewWidget.cpp" line="+54"/>
        <source>Text preview</source>
        <translation>Vista previa de texto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preview note</source>
        <translation>Nota de la vista previa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File contents</source>
        <translation>Contenido del archivo</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>%1 at byte %2</source>
        <translation>%1 en el byte %2</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Showing the first %1 of %2.</source>
        <translation>Se muestran los primeros %1 de %2.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not valid JSON (%1); shown as it is.</source>
        <translation>JSON no válido (%1); se muestra tal cual.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/butler-browser/main.cpp" line="+27"/>
        <source>Browse and curate Butler data repositories.</source>
        <translation>Explorar y gestionar repositorios de datos de Butler.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A local repository folder or a server URL.</source>
        <translation>Una carpeta de repositorio local o la URL de un servidor.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Read the server&apos;s access token from FILE.</source>
        <translation>Leer el token de acceso del servidor desde FILE.</translation>
    </message>
</context>
</TS>
